"""The simplifier, inlining, the grad pass on modules, gradient IR with names and
symbolic dims, and the type rules of the autodiff ops."""
import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module, walk
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.parser import parse_module
from nxc.compiler.ir.printer import print_module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.ir.verifier import verify, verify_function
from nxc.compiler.passes.base import PassManager
from nxc.compiler.passes.grad import GradPass, grad_function
from nxc.compiler.passes.inline import free_values, inline
from nxc.compiler.passes.simplify import Simplify, simplify_function
from nxc.runtime.errors import ArgumentError, DTypeError, ShapeError

from gradutil import check_gradients, cond, f64, for_loop, function, while_loop


def names(fn):
    return [op.name for op in walk(fn.body)]


def simplified(fn, *args):
    """`fn` simplified (and verified); its results on `args` must not change."""
    before = run_function(fn, *args)
    simplify_function(fn)
    verify_function(fn)
    for a, b in zip(before, run_function(fn, *args)):
        np.testing.assert_array_equal(a, b)
    return fn


# ---------------------------------------------------------------------------
# simplify
# ---------------------------------------------------------------------------

def test_constant_folding_through_the_reference_rules():
    fn = function([f64(2)], lambda b, x: b.op("add", x, b.op("exp", b.constant(
        np.array([0.0, 1.0])))))
    simplified(fn, np.ones(2))
    assert names(fn) == ["constant", "add", "return"]
    np.testing.assert_allclose(fn.body.ops[0].attrs["value"], [1.0, np.e])


def test_folding_does_not_grow_constants():
    fn = function([f64(50)], lambda b, x: b.op("add", x, b.op("broadcast", b.constant(
        1.0, T.f64), shape=(50,))))
    simplified(fn, np.ones(50))
    assert names(fn) == ["constant", "broadcast", "add", "return"]


def test_cse_merges_equal_ops_and_constants():
    def body(b, x):
        a = b.op("multiply", b.op("sin", x), 2.0)
        c = b.op("multiply", b.op("sin", x), 2.0)
        return b.op("add", a, c)
    fn = simplified(function([f64(3)], body), np.arange(3.0))
    assert names(fn) == ["sin", "constant", "multiply", "add", "return"]


def test_cse_reuses_outer_ops_inside_regions_but_not_across_branches():
    def body(b, x, p):
        s = b.op("sin", x)
        (r,) = cond(b, p, lambda b: [b.op("add", b.op("sin", x), s)],
                    lambda b: [b.op("cos", x)])
        return b.op("add", r, b.op("cos", x))
    fn = simplified(function([f64(2), TensorType(T.u8, ())], body), np.ones(2), np.uint8(1))
    assert names(fn).count("sin") == 1 and names(fn).count("cos") == 2


def test_exact_identities():
    def body(b, x):
        y = b.op("multiply", x, 1.0)
        y = b.op("divide", b.op("subtract", y, 0.0), 1.0)
        y = b.op("negate", b.op("negate", y))
        y = b.op("transpose", b.op("reshape", y, shape=(2, 3)), axes=(0, 1))
        y = b.op("sum", b.op("broadcast", y, shape=(2, 3)), axes=())
        return b.op("add", y, 0.0)  # kept: -0.0 + 0.0 is 0.0
    fn = simplified(function([f64(2, 3)], body), np.full((2, 3), -0.0))
    assert names(fn) == ["constant", "add", "return"]


def test_power_one_is_an_identity_for_real_bases_only():
    real = simplified(function([f64(4)], lambda b, x: b.op("pow", x, 1.0)),
                      np.array([-0.0, np.nan, -np.inf, 3.5]))
    assert names(real) == ["return"]
    # A complex power goes through log and exp: kept.
    c128 = TensorType(T.c128, (2,))
    cplx = simplified(function([c128], lambda b, z: b.op("pow", z, 1.0)),
                      np.array([1 + 2j, -3j]))
    assert "pow" in names(cplx)


def test_cond_on_a_constant_predicate_becomes_its_branch():
    def body(b, x):
        return cond(b, b.constant(1, T.u8), lambda b: [b.op("exp", x)],
                    lambda b: [b.op("log", x)])[0]
    fn = simplified(function([f64(2)], body), np.ones(2))
    assert names(fn) == ["exp", "return"]


def test_dce_removes_unused_ops_cond_results_and_loop_state():
    def body(b, x):
        b.op("exp", x)  # unused
        r, _ = cond(b, b.op("greater", b.op("sum", x), 0.0),
                    lambda b: [b.op("sin", x), b.op("cos", x)], lambda b: [x, x])
        # t and u are state nobody reads: u feeds only itself, t only u.
        s, t, u = for_loop(b, [r, x, x], 0, 3, lambda b, i, s, t, u: [
            b.op("multiply", s, 2.0), b.op("exp", t), b.op("add", u, t)])
        return s
    fn = simplified(function([f64(2)], body), np.array([0.5, 1.0]))
    assert names(fn).count("for") == 1 and "exp" not in names(fn) and "cos" not in names(fn)
    loop = next(op for op in fn.body.ops if op.name == "for")
    assert len(loop.results) == 1 and len(loop.regions[0].args) == 2


def test_dce_keeps_state_the_while_condition_reads():
    def body(b, x):
        s, k = while_loop(b, [x, b.constant(0, T.s32)], lambda b, s, k: b.op("less", k, 3),
                          lambda b, s, k: [b.op("multiply", s, 2.0), b.op("add", k, 1)])
        return s
    fn = simplified(function([f64(2)], body), np.ones(2))
    loop = next(op for op in fn.body.ops if op.name == "while")
    assert len(loop.results) == 2


def test_simplify_pass_in_a_pipeline():
    m = Module()
    b = Builder()
    fn = b.function(m, "f", [f64(2)])
    with b.at(fn.body):
        b.terminate("return", [b.op("multiply", fn.params[0], 1.0)])
    PassManager([Simplify()], verify=True).run(m)
    assert names(m["f"]) == ["return"] and m["f"].body.yielded == fn.params


# ---------------------------------------------------------------------------
# inline, free values, the grad pass
# ---------------------------------------------------------------------------

def test_inline_copies_a_body_with_regions():
    inner = function([f64(2), f64()], lambda b, x, n: for_loop(
        b, [x], 0, 3, lambda b, i, s: [b.op("multiply", s, n)]))
    outer = function([f64(2)], lambda b, y: inline(inner, b, [b.op("exp", y), b.constant(
        2.0, T.f64)]))
    verify_function(outer)
    (got,) = run_function(outer, np.array([0.0, 1.0]))
    np.testing.assert_allclose(got, 8 * np.exp([0.0, 1.0]))
    assert inner.body.ops[0].regions[0] is not outer.body.ops[-2].regions[0]


def test_inline_checks_its_arguments():
    inner = function([f64(2)], lambda b, x: x)
    with pytest.raises(ArgumentError, match="takes 1 argument"):
        function([f64(2)], lambda b, y: inline(inner, b, [y, y]))
    with pytest.raises(ArgumentError, match="argument 0 must be a value of type f64\\[2\\]"):
        function([f64(3)], lambda b, y: inline(inner, b, [y]))


def test_free_values():
    def body(b, x, y):
        (r,) = cond(b, b.op("greater", b.op("sum", y), 0.0),
                    lambda b: [b.op("add", x, b.op("exp", y))], lambda b: [x])
        return r
    fn = function([f64(2), f64(2)], body)
    x, y = fn.params
    c = fn.body.ops[-2]
    assert free_values(c.regions) == [y, x]  # in order of first use: exp(y) comes first


def test_grad_pass_adds_gradient_functions():
    m = Module()
    b = Builder()
    fn = b.function(m, "f", [f64(2), f64(2)])
    with b.at(fn.body):
        b.terminate("return", [b.op("sum", b.op("multiply", *fn.params))])
    PassManager([GradPass(argnums=(0, 1), with_value=True)], verify=True).run(m)
    assert list(m.functions) == ["f", "f_value_and_grad"]
    value, gx, gy = run_function(m["f_value_and_grad"], np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert value == 11.0 and gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    with pytest.raises(ArgumentError, match="no function g"):
        GradPass(["g"]).run(m)


def test_gradient_ir_round_trips_as_text():
    def body(b, x):
        (s,) = for_loop(b, [x], 0, 3, lambda b, i, s: [b.op("sin", b.op("multiply", s, x))])
        return b.op("sum", s)
    m = Module()
    m.add(grad_function(function([f64(2)], body)))
    text = print_module(verify(m))
    assert "put_row" in text and "take_row" in text
    assert print_module(verify(parse_module(text, "g.nxir"))) == text


# ---------------------------------------------------------------------------
# Names, broadcasting, symbolic dims
# ---------------------------------------------------------------------------

def test_gradients_have_the_parameter_types_with_names():
    rows = TensorType(T.f64, (2, 1), ("rows", None))
    cols = TensorType(T.f64, (3,), ("cols",))

    def body(b, x, y):
        return b.op("sum", b.op("tanh", b.op("multiply", x, y)))
    fn = function([rows, cols], body)
    g = grad_function(fn, (0, 1))
    assert g.result_types == [rows, cols]
    check_gradients(fn, [np.array([[0.5], [-1.0]]), np.array([0.1, 0.2, -0.3])], [0, 1])


@pytest.mark.parametrize("n", [1, 4])
def test_symbolic_dims(n):
    xt = TensorType(T.f64, (Dim("n"), 3))

    def body(b, x, w):
        h = b.op("tanh", b.op("dot", x, w))
        return b.op("add", b.op("mean", h), b.op("sum", b.op("reduce_max", x, axes=(0,))))
    fn = function([xt, f64(3, 2)], body)
    rng = np.random.default_rng(n)
    got = check_gradients(fn, [rng.normal(size=(n, 3)), rng.normal(size=(3, 2))], [0, 1])
    assert got[0].shape == (n, 3)


# ---------------------------------------------------------------------------
# The autodiff ops
# ---------------------------------------------------------------------------

def test_custom_grad_type_rule():
    op = registry.get("custom_grad")
    x, y = f64(2), TensorType(T.f32, (3,))
    assert op.result_types([x, y], {}, [([x], [y])]) == [x]
    with pytest.raises(ShapeError, match="region's result gives 2 value\\(s\\), the inputs 1"):
        op.result_types([x, y], {}, [([x], [y, y])])
    with pytest.raises(DTypeError, match="entry 0 of the region's arguments is f32\\[2\\]"):
        op.result_types([x, y], {}, [([TensorType(T.f32, (2,))], [y])])
    with pytest.raises(ArgumentError, match="takes 1 region"):
        op.result_types([x], {}, [])


def test_row_ops_type_rules():
    take, put = registry.get("take_row"), registry.get("put_row")
    buf = TensorType(T.f32, (4, 3), (None, "c"))
    i = TensorType(T.s32, ())
    assert take.result_types([buf, i], {}) == [TensorType(T.f32, (3,), ("c",))]
    assert put.result_types([buf, i, TensorType(T.f32, (3,))], {}) == [buf]
    with pytest.raises(DTypeError, match="index must be an integer scalar"):
        take.result_types([buf, TensorType(T.f32, ())], {})
    with pytest.raises(ShapeError, match="rank >= 1"):
        take.result_types([TensorType(T.f32, ()), i], {})
    with pytest.raises(DTypeError, match="must have the buffer's type f32"):
        put.result_types([buf, i, TensorType(T.f64, (3,))], {})
    with pytest.raises(ShapeError, match="shape of a row"):
        put.result_types([buf, i, TensorType(T.f32, (4,))], {})
