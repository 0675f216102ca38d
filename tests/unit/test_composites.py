"""Conformance of the composite table (nxc/composite.py): every composite, every
dtype it accepts, every sample case.

Each case runs eagerly against an independent oracle (the `COMPOSITE_ORACLES`
of the modules in tests/unit/oracles); traced into IR, the interpreter and the
compiled CPU code agree with the eager result; where differentiable, its
gradient (traced in f64) agrees with finite differences; vmapped over a batch
of three, it agrees with a loop over the entries.
"""
import importlib
import pkgutil
import zlib

import numpy as np
import pytest

import nxc as nx  # registers every composite
import oracles
from batching.batching_util import assert_same, loop_oracle
from grad.gradutil import check_gradients
from nxc._dispatch import building
from nxc.composite import COMPOSITES
from nxc.compiler.codegen import compile_cached
from nxc.compiler.frontend.values import flatten
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module, Value
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.compiler.passes.batching.driver import vmap_function
from nxc.compiler.passes.inline import inline
from nxc.runtime import load
from nxc.tensor import Tensor, to_array
from oracles.inputs import random_array

TOLERANCE = {T.f16: 4e-3, T.bf16: 2e-2, T.f32: 2e-5, T.f64: 1e-11, T.c64: 2e-5, T.c128: 1e-11}


def _collect_oracles():
    out = {}
    for info in pkgutil.iter_modules(oracles.__path__):
        module = importlib.import_module(f"oracles.{info.name}")
        out.update(getattr(module, "COMPOSITE_ORACLES", {}))
    return out


ORACLES = _collect_oracles()


def cases(name):
    c = COMPOSITES[name]
    return [(dt, k, types, attrs) for dt in c.accepts
            for k, (types, attrs) in enumerate(c.samples(dt))]


def all_cases():
    for name in sorted(COMPOSITES):
        for dt, k, types, attrs in cases(name):
            yield pytest.param(name, dt, k, types, attrs, id=f"{name}-{dt}-{k}")


def inputs_for(name, dt, k, types):
    rng = np.random.default_rng(zlib.crc32(f"{name}-{dt}-{k}".encode()))
    return [random_array(t, rng) for t in types]


def outputs(x):
    leaves, _ = flatten(x)
    return [to_array(v) if isinstance(v, Tensor) else np.asarray(v) for v in leaves]


def assert_close(got, want, dtype, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    if dtype.is_int:
        assert got.astype(object).tolist() == want.astype(object).tolist(), what
        return
    wide = np.complex128 if dtype.is_complex else np.float64
    tol = TOLERANCE.get(dtype, 0)
    np.testing.assert_allclose(got.astype(wide), want.astype(wide), rtol=tol, atol=tol,
                               equal_nan=True, err_msg=what)


def trace(name, types, attrs, fname="f"):
    """The IR function of composite `name` applied to parameters of `types`."""
    b = Builder()
    fn = b.function(Module(), fname, list(types))
    with building(b), b.at(fn.body):
        leaves, _ = flatten(COMPOSITES[name].fn(*fn.params, **attrs))
        b.terminate("return", [x if isinstance(x, Value) else b.constant(to_array(Tensor(x)))
                               for x in leaves])
    return verify_function(fn)


def test_every_composite_is_complete():
    assert COMPOSITES, "no composite is registered"
    for name, c in COMPOSITES.items():
        assert c.doc, f"composite {name} has no docstring"
        assert name in ORACLES, f"composite {name} has no oracle in tests/unit/oracles"
        assert cases(name), f"composite {name} has no sample cases"


@pytest.mark.parametrize("name, dt, k, types, attrs", list(all_cases()))
def test_eager_and_traced(name, dt, k, types, attrs):
    """Eager agrees with the oracle; the traced IR, interpreted, agrees with eager
    in value, dtype and names."""
    args = inputs_for(name, dt, k, types)
    named = [nx.tensor(a, names=t.names) if any(t.names) else a for a, t in zip(args, types)]
    with np.errstate(all="ignore"):
        eager = COMPOSITES[name].fn(*named, **attrs)
        want = ORACLES[name](*args, **attrs)
        fn = trace(name, types, attrs)
        interpreted = run_function(fn, *args)
    got = outputs(eager)
    wants = want if isinstance(want, (tuple, list)) else [want]
    assert len(got) == len(wants) == len(fn.result_types), name
    for i, (g, w, t, traced) in enumerate(zip(got, wants, fn.result_types, interpreted)):
        assert g.dtype == t.dtype.numpy, f"{name} result {i}: eager {g.dtype}, traced {t}"
        assert_close(g, w, t.dtype, f"{name} result {i} vs oracle")
        assert_close(traced, g, t.dtype, f"{name} result {i} traced vs eager")
    names = [leaf.type.names for leaf in flatten(eager)[0] if isinstance(leaf, Tensor)]
    assert names == [t.names for t in fn.result_types][:len(names)], name


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.getbasetemp().parent / "nxc-codegen-cache")


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_compiled_matches_interpreter(name, cache_dir):
    """All cases of one composite in one module, compiled for the CPU."""
    m = Module(name=f"composite_{name}")
    runs = []
    for i, (dt, k, types, attrs) in enumerate(cases(name)):
        fn = trace(name, types, attrs, fname=f"case{i}")
        m.functions[fn.name] = fn
        runs.append((fn, inputs_for(name, dt, k, types)))
    art = load(compile_cached(m, cache_dir=cache_dir))
    for fn, args in runs:
        with np.errstate(all="ignore"):
            want = run_function(fn, *args)
        got = getattr(art, fn.name)(*args)
        got = list(got) if isinstance(got, tuple) else [got]
        for g, w, t in zip(got, want, fn.result_types):
            assert_close(np.asarray(g), w, t.dtype, f"{name} {fn.name} compiled vs interpreter")


def grad_cases():
    for name in sorted(COMPOSITES):
        c = COMPOSITES[name]
        if not c.differentiable:
            continue
        float_dt = T.f64 if T.f64 in c.accepts else None
        for dt, k, types, attrs in cases(name):
            if dt == float_dt and any(t.dtype.is_float for t in types):
                yield pytest.param(name, k, types, attrs, id=f"{name}-{k}")


@pytest.mark.parametrize("name, k, types, attrs", list(grad_cases()))
def test_gradient_matches_finite_differences(name, k, types, attrs):
    inner = trace(name, types, attrs)
    rng = np.random.default_rng(zlib.crc32(f"grad-{name}-{k}".encode()))
    weights = [rng.normal(size=t.shape) for t in inner.result_types]

    b = Builder()
    fn = b.function(Module(), "loss", list(types))
    with building(b), b.at(fn.body):
        outs = inline(inner, b, fn.params)
        total = None
        for y, w, t in zip(outs, weights, inner.result_types):
            if not t.dtype.is_float:
                continue
            term = b.op("sum", b.op("multiply", y, b.constant(w.astype(t.dtype.numpy))))
            total = term if total is None else b.op("add", total, term)
        b.terminate("return", [total])
    argnums = [i for i, t in enumerate(types) if t.dtype.is_float]
    args = [rng.normal(size=t.shape).astype(t.dtype.numpy) if t.dtype.is_float
            else random_array(t, rng) for t in types]
    check_gradients(verify_function(fn), args, argnums)


def vmap_cases():
    for name in sorted(COMPOSITES):
        for dt, k, types, attrs in cases(name):
            if types and (dt == T.f32 or dt == COMPOSITES[name].accepts[0]):
                yield pytest.param(name, dt, k, types, attrs, id=f"{name}-{dt}-{k}")


@pytest.mark.parametrize("name, dt, k, types, attrs", list(vmap_cases()))
def test_vmap_matches_loop(name, dt, k, types, attrs):
    fn = trace(name, types, attrs)
    batched = verify_function(vmap_function(fn, 0, axis_size=3))
    rng = np.random.default_rng(zlib.crc32(f"vmap-{name}-{dt}-{k}".encode()))
    args = [random_array(TensorType(t.dtype, (3,) + t.shape), rng) for t in types]
    with np.errstate(all="ignore"):
        got = run_function(batched, *args)
        want = loop_oracle(fn, args, 0, 3)
    for g, w, t in zip(got, want, fn.result_types):
        assert_same(g, w, t.dtype, f"vmap of {name}")


@pytest.mark.parametrize("name", sorted(n for n, c in COMPOSITES.items()
                                        if set(c.accepts) != set(T.ALL)
                                        and any(t.rank for t in c.samples(c.accepts[0])[0][0])))
def test_rejected_dtypes_raise(name):
    c = COMPOSITES[name]
    types, attrs = c.samples(c.accepts[0])[0]
    bad = next(dt for dt in T.ALL if dt not in c.accepts)
    args = [np.zeros(t.shape, (bad if i == 0 else t.dtype).numpy) for i, t in enumerate(types)]
    with pytest.raises(nx.DTypeError, match=bad.name):
        c.fn(*args, **attrs)
