"""Every op's gradient, driven by the registry.

Each op is in exactly one of the tables of vjp_rules (a rule, zero gradient,
an error, or handled by the driver); a new op in none of them fails here. Every
op with a rule is checked against central finite differences in f64 over its
sample cases (which broadcast, name axes and include empty tensors), with a
random weight on the result so that the seed is not just ones; the gradient of
that gradient is checked the same way.
"""
import zlib

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.core import Loc
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.passes.grad import grad_function
from nxc.compiler.passes.grad.vjp_rules import DRIVER_OPS, NOT_DIFFERENTIABLE, VJP, ZERO_GRAD
from nxc.runtime.errors import CompileError, DTypeError

from gradutil import check_gradients, f64, function, second_order, weighted

OPS = registry.all_ops()


def table_of(name):
    """The tables of vjp_rules that list op `name`."""
    tables = {"VJP": VJP, "ZERO_GRAD": ZERO_GRAD, "NOT_DIFFERENTIABLE": NOT_DIFFERENTIABLE,
              "DRIVER_OPS": DRIVER_OPS}
    return [t for t, entries in tables.items() if name in entries]


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_exactly_one_gradient_entry(name):
    found = table_of(name)
    assert len(found) == 1, f"op {name} is in {found or 'no gradient table'}: give it a VJP " \
                            f"rule or mark it ZERO_GRAD or NOT_DIFFERENTIABLE"
    if found == ["VJP"]:
        assert T.f64 in OPS[name].accepts and OPS[name].samples(T.f64), \
            f"{name} has a gradient rule but no f64 samples to check it on"


def test_a_new_op_without_a_rule_is_caught(monkeypatch):
    fake = registry.OpDef("fake_op", infer=lambda x: x, ref=lambda x: x, doc="fake")
    monkeypatch.setitem(registry.OPS, "fake_op", fake)
    with pytest.raises(AssertionError, match="fake_op is in no gradient table"):
        test_every_op_has_exactly_one_gradient_entry("fake_op")


def test_tables_name_only_registered_ops():
    named = set(VJP) | ZERO_GRAD | set(NOT_DIFFERENTIABLE) | DRIVER_OPS
    assert named <= set(OPS), sorted(named - set(OPS))


# ---------------------------------------------------------------------------
# Finite differences over the samples
# ---------------------------------------------------------------------------

def _normal(rng, shape):
    return rng.normal(0, 1, shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def _away_from_zero(rng, shape):
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


# Inputs where each op is smooth (kinks and poles are tested with explicit values).
DOMAINS = {
    "log": [_positive], "sqrt": [_positive], "rsqrt": [_positive], "log1p": [_positive],
    "pow": [_positive, _normal],
    "divide": [_normal, _away_from_zero],
    "remainder": [lambda rng, s: rng.uniform(-3, 3, s), lambda rng, s: rng.uniform(0.7, 0.9, s)],
    "tan": [lambda rng, s: rng.uniform(-1, 1, s)],
    **{name: [lambda rng, s: rng.uniform(-0.9, 0.9, s)]
       for name in ("acos", "asin", "atanh", "erf_inv")},
    "acosh": [lambda rng, s: rng.uniform(1.2, 3, s)],
    "log2": [_positive], "log10": [_positive], "cbrt": [_away_from_zero],
}


def _input(name, k, t, rng):
    if t.dtype == T.f64:
        domain = DOMAINS.get(name, [_normal])
        return np.asarray(domain[min(k, len(domain) - 1)](rng, t.shape), dtype=np.float64)
    if name == "select":
        return rng.integers(0, 2, t.shape).astype(t.dtype.numpy)  # predicates
    if t.dtype.is_unsigned:
        return rng.integers(1, 4, t.shape).astype(t.dtype.numpy)  # divisors among them
    return rng.integers(-1, 4, t.shape).astype(t.dtype.numpy)  # indices, in range or not


def cases():
    for name in sorted(VJP):
        for k, (types, attrs) in enumerate(OPS[name].samples(T.f64)):
            if name == "as_type" and attrs["type"] != T.f64:
                continue  # conversions that round are checked with explicit values below
            yield pytest.param(name, types, attrs, id=f"{name}-{k}")


def _setup(name, types, attrs):
    rng = np.random.default_rng(zlib.crc32(f"{name}{types}{attrs}".encode()))
    args = [_input(name, k, t, rng) for k, t in enumerate(types)]
    y = registry.get(name)
    out_t = y.result_types(types, y.canonicalize(types, attrs))[0]
    weights = rng.normal(0, 1, out_t.shape)
    fn = weighted(types, lambda b, *ps: b.op(name, *ps, **attrs), weights)
    argnums = [i for i, t in enumerate(types) if t.dtype == T.f64]
    return fn, args, argnums, rng


@pytest.mark.parametrize("name, types, attrs", list(cases()))
def test_gradient_matches_finite_differences(name, types, attrs):
    fn, args, argnums, _ = _setup(name, types, attrs)
    check_gradients(fn, args, argnums)


@pytest.mark.parametrize("name, types, attrs", list(cases()))
def test_second_derivative_matches_finite_differences(name, types, attrs):
    fn, args, argnums, rng = _setup(name, types, attrs)
    weights = [rng.normal(0, 1, np.shape(args[i])) for i in argnums]
    check_gradients(second_order(fn, argnums, weights), args, argnums)


# ---------------------------------------------------------------------------
# Zero gradients, kinks and ties
# ---------------------------------------------------------------------------

def zero_cases():
    for name in sorted(ZERO_GRAD):
        op = OPS[name]
        if op.arity == 0 or T.f64 not in op.accepts:
            continue
        for k, (types, attrs) in enumerate(op.samples(T.f64)):
            yield pytest.param(name, types, attrs, id=f"{name}-{k}")


@pytest.mark.parametrize("name, types, attrs", list(zero_cases()))
def test_zero_gradient_ops(name, types, attrs):
    def body(b, *ps):
        return b.op("sum", b.op("as_type", b.op(name, *ps, **attrs), type=T.f64))
    fn = function(types, body)
    argnums = [i for i, t in enumerate(types) if t.dtype == T.f64]
    g = grad_function(fn, argnums)
    assert {op.name for op in g.body.ops} <= {"constant", "broadcast", "return"}
    rng = np.random.default_rng(0)
    for got, i in zip(run_function(g, *[_input(name, k, t, rng) for k, t in enumerate(types)]),
                      argnums):
        np.testing.assert_array_equal(got, np.zeros(types[i].shape))


def _grad_of(body, *values, argnums=0):
    args = [np.asarray(v, dtype=np.float64) for v in values]
    fn = function([f64(*np.shape(a)) for a in args], body)
    return run_function(grad_function(fn, argnums), *args)


def test_max_min_split_ties_evenly():
    for name in ("max", "min"):
        gx, gy = _grad_of(lambda b, x, y: b.op("sum", b.op(name, x, y)),
                          [1.0, 2.0, 3.0], [1.0, 5.0, 0.0], argnums=(0, 1))
        lower = name == "min"
        assert gx.tolist() == [0.5, float(lower), float(not lower)]
        assert gy.tolist() == [0.5, float(not lower), float(lower)]


def test_reduce_max_shares_among_ties():
    (g,) = _grad_of(lambda b, x: b.op("reduce_max", x, axes=(1,)),
                    [[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]])
    assert g.tolist() == [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]
    (g,) = _grad_of(lambda b, x: b.op("reduce_min", x), [4.0, 1.0, 1.0, 1.0, 2.0])
    np.testing.assert_allclose(g, [0, 1 / 3, 1 / 3, 1 / 3, 0])


def test_abs_passes_the_gradient_at_zero():
    (g,) = _grad_of(lambda b, x: b.op("sum", b.op("abs", x)), [-2.0, 0.0, 3.0])
    assert g.tolist() == [-1.0, 1.0, 1.0]


def test_clip_ties_and_crossed_bounds():
    # x strictly inside gets g; at a bound, nobody; lo > hi gives hi the gradient.
    gx, glo, ghi = _grad_of(lambda b, x, lo, hi: b.op("sum", b.op("clip", x, lo, hi)),
                            [0.5, 0.0, -1.0, 2.0, 1.0, 0.5], [0.0, 0.0, 0.0, 0.0, 0.0, 3.0],
                            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], argnums=(0, 1, 2))
    assert gx.tolist() == [1, 0, 0, 0, 0, 0]
    assert glo.tolist() == [0, 0, 1, 0, 0, 0]
    assert ghi.tolist() == [0, 0, 0, 1, 0, 1]


def test_product_with_zeros():
    (g,) = _grad_of(lambda b, x: b.op("product", x, axes=(1,)),
                    [[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [2.0, 4.0, 0.5]])
    assert g.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [2.0, 1.0, 8.0]]


def test_pow_at_zero_base_and_zero_exponent():
    gx, gy = _grad_of(lambda b, x, y: b.op("sum", b.op("pow", x, y)),
                      [0.0, 0.0, 2.0], [2.0, 0.0, 0.0], argnums=(0, 1))
    assert gx.tolist() == [0.0, 0.0, 0.0]
    assert gy.tolist() == [0.0, 0.0, np.log(2.0)]


@pytest.mark.parametrize("target, want", [(T.f32, 1.0), (T.f16, 1.0), (T.s32, 0.0),
                                          (T.u8, 0.0)])
def test_as_type_gradients(target, want):
    # Through a float conversion the gradient is 1 (in the operand's type); an
    # integer conversion is piecewise constant: zero.
    (g,) = _grad_of(lambda b, x: b.op("sum", b.op("as_type", b.op("as_type", x, type=target),
                                                  type=T.f64)), [0.25, 1.5, 2.0])
    assert g.dtype == np.float64 and g.tolist() == [want] * 3


def test_mixed_precision_gradient_has_the_parameter_type():
    fn = function([TensorType(T.f16, (3,)), f64(3)],
                  lambda b, x, y: b.op("sum", b.op("multiply", x, y)))
    gx, gy = run_function(grad_function(fn, (0, 1)), np.array([1, 2, 3], np.float16),
                          np.array([0.5, 0.25, 2.0]))
    assert gx.dtype == np.float16 and gx.tolist() == [0.5, 0.25, 2.0]
    assert gy.dtype == np.float64 and gy.tolist() == [1.0, 2.0, 3.0]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

HERE = Loc("model.py", 4, 13)


def _through_quotient(b, x, stop=False):
    if stop:
        x = b.op("stop_grad", x)
    i = b.op("as_type", x, type=T.s32)
    with b.located(HERE):
        q = b.op("quotient", i, 2)
    return b.op("sum", b.op("as_type", q, type=T.f64))


def test_quotient_is_a_located_error_with_a_hint():
    fn = function([f64(3)], _through_quotient)
    with pytest.raises(CompileError) as e:
        grad_function(fn)
    assert e.value.loc == HERE
    assert "cannot differentiate through quotient" in e.value.message
    assert "nx.floor(nx.divide(a, b))" in e.value.message and "stop_grad" in e.value.message


def test_stop_grad_avoids_the_quotient_error():
    fn = function([f64(3)], lambda b, x: b.op("add", _through_quotient(b, x, stop=True),
                                              b.op("sum", x)))
    (g,) = run_function(grad_function(fn), np.array([1.0, 2.0, 3.0]))
    assert g.tolist() == [1.0, 1.0, 1.0]


def test_op_without_rule_is_a_located_error(monkeypatch):
    fake = registry.OpDef("fake_square", infer=lambda x: x, ref=lambda x: x * x, doc="fake")
    monkeypatch.setitem(registry.OPS, "fake_square", fake)

    def body(b, x):
        with b.located(HERE):
            y = b.op("fake_square", x)
        return b.op("sum", y)
    with pytest.raises(CompileError, match="gradient not yet implemented for op fake_square") as e:
        grad_function(function([f64(2)], body))
    assert e.value.loc == HERE and "custom_grad" in e.value.message


def test_op_without_rule_off_the_path_is_fine(monkeypatch):
    fake = registry.OpDef("fake_square", infer=lambda x: x, ref=lambda x: x * x, doc="fake")
    monkeypatch.setitem(registry.OPS, "fake_square", fake)
    fn = function([f64(2), f64(2)], lambda b, x, y: b.op(
        "sum", b.op("add", x, b.op("fake_square", y))))
    (g,) = run_function(grad_function(fn, 0), np.ones(2), np.ones(2))
    assert g.tolist() == [1.0, 1.0]


def test_complex_values_on_the_path_are_an_error():
    def body(b, x):
        with b.located(HERE):
            y = b.op("abs", b.op("as_type", x, type=T.c128))
        return b.op("sum", y)
    with pytest.raises(CompileError, match="complex value c128.*real") as e:
        grad_function(function([f64(2)], body))
    assert e.value.loc == HERE
    with pytest.raises(DTypeError, match="argument 0 is c64"):
        grad_function(function([TensorType(T.c64, (2,))], lambda b, x: b.op("sum", x)))


def test_dot_gradient_where_names_would_repeat():
    # a's free axis and b's contracted axis are both named "n": the gradient of a
    # pairs them in one dot, which must not repeat the name.
    a_t = TensorType(T.f64, (2, 3), ("n", "c"))
    b_t = TensorType(T.f64, (3, 4), ("n", "m"))
    fn = function([a_t, b_t], lambda b, x, y: b.op("sum", b.op("sin", b.op(
        "dot", x, y, contract_axes=((1,), (0,))))))
    rng = np.random.default_rng(3)
    got = check_gradients(fn, [rng.normal(size=(2, 3)), rng.normal(size=(3, 4))], [0, 1])
    assert grad_function(fn, (0, 1)).result_types == [a_t, b_t] and len(got) == 2
