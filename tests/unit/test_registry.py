"""Registry conformance: every op has every rule, and its rules agree.

For each op and each dtype it accepts, on each of its sample cases:
the type rule's result equals the reference output's dtype and shape, and the
reference agrees with an independent oracle on random inputs. An op without a
type rule, reference, samples or oracle fails here.
"""
import zlib

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.runtime.errors import DTypeError

from oracles import autodiff, conv, core, elementwise, hooks, indexing, structural
from oracles import cumulative, sorting, windows
from oracles import bitwise, complex_parts, predicates, unary_math
from oracles.inputs import random_array

ORACLES = {**core.ORACLES, **elementwise.ORACLES, **structural.ORACLES, **autodiff.ORACLES,
           **indexing.ORACLES, **conv.ORACLES, **hooks.ORACLES,
           **cumulative.ORACLES, **sorting.ORACLES, **windows.ORACLES,
           **bitwise.ORACLES, **complex_parts.ORACLES, **predicates.ORACLES,
           **unary_math.ORACLES}

# Ops with regions run user code given as blocks; their rules are tested by
# building loops and conditionals in test_structural_ops.py.
REGION_OPS = {"cond", "while", "for", "custom_grad", "reduce", "window_reduce"}

# The ops the foundation promises; the registry must hold every one.
FOUNDATION_OPS = """
constant iota eye add subtract multiply divide quotient remainder pow max min atan2
negate abs sign floor ceil round exp expm1 log log1p sqrt rsqrt sin cos tan tanh sigmoid erf
equal not_equal less less_equal greater greater_equal logical_and logical_or logical_not
select clip as_type sum product reduce_max reduce_min mean argmax argmin all any dot
reshape transpose broadcast squeeze new_axis slice put_slice concatenate stack pad
cond while for
""".split()

OPS = registry.all_ops()


def test_foundation_ops_are_registered():
    missing = [name for name in FOUNDATION_OPS if name not in OPS]
    assert not missing, f"ops without a registry entry: {missing}"


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_rule_is_present(name):
    op = OPS[name]
    assert callable(op.infer) and callable(op.ref), name
    assert op.accepts, f"{name} accepts no dtype"
    assert op.doc, f"{name} has no docstring"
    if name in REGION_OPS:
        assert op.regions > 0
        return
    assert op.samples is not None, f"{name} has no sample cases"
    assert name in ORACLES, f"{name} has no oracle in tests/unit/oracles"


TOLERANCE = {T.f16: 4e-3, T.bf16: 2e-2, T.f32: 2e-5, T.f64: 1e-11, T.c64: 2e-5, T.c128: 1e-11}


def assert_matches(name, got, want, dtype):
    want = np.asarray(want)
    assert got.shape == want.shape, f"{name}: shape {got.shape}, oracle {want.shape}"
    if dtype.is_int:
        assert got.astype(object).tolist() == want.astype(object).tolist(), name
        return
    g = got.astype(np.complex128 if dtype.is_complex else np.float64)
    w = want.astype(np.complex128 if dtype.is_complex else np.float64)
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(g, w, rtol=tol, atol=tol, equal_nan=True, err_msg=name)


def cases():
    for name in sorted(OPS):
        op = OPS[name]
        if name in REGION_OPS or op.samples is None:
            continue
        for dt in op.accepts:
            for k, (types, attrs) in enumerate(op.samples(dt)):
                yield pytest.param(name, dt, k, types, attrs, id=f"{name}-{dt}-{k}")


@pytest.mark.parametrize("name, dt, k, types, attrs", list(cases()))
def test_rules_agree(name, dt, k, types, attrs):
    op = OPS[name]
    rng = np.random.default_rng(zlib.crc32(f"{name}-{dt}-{k}".encode()))
    attrs = op.canonicalize(types, attrs)
    result_types = op.result_types(types, attrs)
    inputs = [random_array(t, rng) for t in types]
    with np.errstate(all="ignore"):
        # `execute` asserts the reference's dtype and shape equal the type rule's.
        outs = registry.execute(op, inputs, attrs, result_types)
        want = ORACLES[name](*inputs, **attrs)
    wants = want if isinstance(want, (tuple, list)) else [want]
    for got, w, t in zip(outs, wants, result_types):
        assert_matches(name, got, w, t.dtype)


@pytest.mark.parametrize("name", sorted(n for n in OPS if OPS[n].accepts != T.ALL
                                        and OPS[n].samples is not None))
def test_rejected_dtypes_raise(name):
    op = OPS[name]
    rejected = [t for t in T.ALL if t not in op.accepts]
    types, attrs = op.samples(op.accepts[0])[0]
    for bad in rejected:
        bad_types = [t.with_dtype(bad) for t in types]
        with pytest.raises(DTypeError, match=bad.name):
            op.canonicalize(bad_types, attrs)


def test_missing_rule_is_caught(monkeypatch):
    """The conformance checks above fail for an op registered without samples."""
    fake = registry.OpDef("fake_op", infer=lambda x: x, ref=lambda x: x, doc="fake")
    monkeypatch.setitem(registry.OPS, "fake_op", fake)
    with pytest.raises(AssertionError, match="no sample cases"):
        test_every_rule_is_present("fake_op")
