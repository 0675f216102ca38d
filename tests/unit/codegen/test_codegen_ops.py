"""Registry conformance of the CPU backend: every op, every dtype it accepts,
every sample case, compiled and run, agrees with the interpreter.

All the cases of one dtype go into one module (one shared library), compiled
once per run through the content-addressed cache; a second module holds the
symbolic-shape variants (axis 0 of the operands made `?n` wherever the type
rule accepts it), run at two sizes of n, for every dtype (SYMBOLIC_DTYPES).
Inputs are random and mixed
with edge values (integer MIN/MAX, 0, -1; NaN, infinities, signed zeros,
halves, values that overflow f16 or an int cast). Integers must be equal;
floats agree within TOLERANCE (docs/backend.md explains why they may differ
at all: libm vs numpy's own math, summation order).
"""
import functools
import itertools
import zlib

import numpy as np
import pytest

from nxc.compiler.codegen.lowerings import LOWERINGS
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime.errors import NxcError
from oracles.inputs import random_array

OPS = registry.all_ops()

TOLERANCE = {T.f16: 4e-3, T.bf16: 2e-2, T.f32: 2e-5, T.f64: 1e-11, T.c64: 2e-5, T.c128: 1e-11}

# With infinite or NaN parts, numpy's complex exp, log, trigonometric functions
# and pow follow C99 Annex G (the C library's cexp...) and its complex dot
# follows BLAS; compiled code does not reproduce those (docs/backend.md).
FINITE_ONLY = {(name, "c") for name in
               ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "pow", "dot")}


def test_every_op_has_a_cpu_lowering():
    missing = sorted(set(OPS) - set(LOWERINGS))
    assert not missing, f"ops without a CPU lowering: {missing}"
    unknown = sorted(set(LOWERINGS) - set(OPS))
    assert not unknown, f"lowerings of ops the registry lacks: {unknown}"


SYMBOLIC_DTYPES = T.ALL


def symbolic(types):
    """`types` with axis 0 of each operand that has the first operand's axis-0
    size made the symbolic `?n`; None when no operand has such an axis."""
    ranked = [t for t in types if t.rank]
    if not ranked or ranked[0].shape[0] == 1:
        return None
    size = ranked[0].shape[0]
    out = []
    for t in types:
        if t.rank and t.shape[0] == size:
            t = TensorType(t.dtype, (Dim("n"),) + t.shape[1:], t.names)
        out.append(t)
    return out


@functools.cache
def cases_of(dt, variant):
    """(function name, op, operand types, attrs, size of n) of one module."""
    out = []
    for name in sorted(OPS):
        op = OPS[name]
        if op.regions or op.samples is None or dt not in op.accepts:
            continue
        for k, (types, attrs) in enumerate(op.samples(dt)):
            size = None
            if variant == "symbolic":
                ranked = [t for t in types if t.rank]
                size = ranked[0].shape[0] if ranked else None
                types = symbolic(types)
                if types is None:
                    continue
                try:
                    attrs = op.canonicalize(types, dict(attrs))
                    op.result_types(types, attrs)
                except NxcError:
                    continue  # the op needs this axis to be static
            out.append((f"{name}_{k}", name, types, attrs, size))
    return out


def _op_dtypes():
    """(op, dtype) pairs, dtypes interleaved so that the two xdist workers, dealt
    tests alternately, start with different dtypes (different modules to compile)."""
    names = sorted(n for n, op in OPS.items() if not op.regions and op.samples is not None)
    order = [dt for pair in itertools.zip_longest(T.ALL[0::2], T.ALL[1::2]) for dt in pair
             if dt is not None]
    return [pytest.param(name, dt, id=f"{name}-{dt}") for dt in order for name in names
            if dt in OPS[name].accepts]


@pytest.fixture(scope="session")
def modules(build, one_op_module):
    """(dtype, variant) -> (artifact, module), compiled on first use."""
    done = {}

    def get(dt, variant):
        if (dt, variant) not in done:
            cases = [(f, n, t, a) for f, n, t, a, _ in cases_of(dt, variant)]
            m = one_op_module(f"ops_{variant}_{dt.name}", cases)
            try:
                done[dt, variant] = build(m), m
            except Exception as e:  # fail the other tests of this module without recompiling
                done[dt, variant] = e
        if isinstance(done[dt, variant], Exception):
            raise done[dt, variant]
        return done[dt, variant]
    return get


EDGES_INT_SIGNED = (0, 1, -1)
EDGES_FLOAT = (np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -2.5, 1.5, 1e10, -3e9, 70000.0)
EDGES_COMPLEX = (0j, 1j, complex(1e10, -1), complex(np.inf, 1), complex(0, np.nan))


def edges(dt, finite):
    if dt.is_int:
        extra = EDGES_INT_SIGNED if dt.is_signed_int else (0, 1)
        return [dt.min_value(), dt.max_value(), *extra]
    values = list(EDGES_FLOAT) + (list(EDGES_COMPLEX) if dt.is_complex else [])
    return [v for v in values if np.isfinite(v)] if finite else values


def random_input(t: TensorType, shape, rng, finite):
    dt = t.dtype
    a = random_array(t, rng, shape)
    with np.errstate(all="ignore"):
        pool = np.array(edges(dt, finite), dtype=object if dt.is_int else None).astype(dt.numpy)
    flat = a.reshape(-1)
    where = np.flatnonzero(rng.random(flat.size) < 0.5)
    flat[where] = pool[rng.integers(len(pool), size=where.size)]
    return flat.reshape(shape)


def assert_agrees(what, got, want):
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, interpreter {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, interpreter {want.shape}"
    dt = T.from_numpy(want.dtype)
    if dt.is_int:
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    tol = TOLERANCE[dt]
    got, want = got.astype(np.complex128), want.astype(np.complex128)
    for part in ("real", "imag"):  # part by part: infinities compare as floats
        g, w = getattr(got, part), getattr(want, part)
        with np.errstate(invalid="ignore"):
            close = (g == w) | (np.isnan(g) & np.isnan(w)) | (np.abs(g - w) <= tol + tol * np.abs(w))
        if not close.all():  # assert_allclose is slow; it only writes the message
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol, equal_nan=True,
                                       err_msg=f"{what} ({part} part)")


@pytest.mark.parametrize("name, dt", _op_dtypes())
def test_compiled_op_agrees_with_interpreter(modules, name, dt):
    for variant in ("static", "symbolic") if dt in SYMBOLIC_DTYPES else ("static",):
        art, module = modules(dt, variant)
        for fname, op, _types, _attrs, size in cases_of(dt, variant):
            if op == name:
                check_case(art, module[fname], f"{variant} {fname} {dt}", name, dt, size)


def check_case(art, fn, what, name, dt, size):
    finite = (name, dt.kind) in FINITE_ONLY
    for n in [None] if size is None else [size, size + 2]:
        rng = np.random.default_rng(zlib.crc32(f"{what}-{n}".encode()))
        args = [random_input(t, tuple(n if isinstance(d, Dim) else d for d in t.shape), rng,
                             finite) for t in fn.param_types]
        with np.errstate(all="ignore"):
            want = run_function(fn, *args)
        got = getattr(art, fn.name)(*args)
        got = list(got) if isinstance(got, tuple) else [got]
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_agrees(f"{what} n={n}", np.asarray(g), w)
