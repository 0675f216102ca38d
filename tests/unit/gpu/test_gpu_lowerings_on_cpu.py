"""The GPU lowerings' semantics, checked without a GPU: the MLIR the GPU emitter
writes for the ops it lowers differently from the CPU (two-pass reductions,
scatters visiting index positions, rows read in the kernel, shifts with
clamped counts, dot without the host GEMM, reshapes without shape buffers,
fills read in the kernel) is compiled by the CPU backend and run against the
interpreter, on the registry's samples and their symbolic variants, plus
sizes large enough to take the two-pass path.
"""
import functools
import os
import sys
import zlib

import numpy as np
import pytest
from mlir import ir

from nxc.compiler.codegen.driver import Compilation
from nxc.compiler.codegen.gpu import lowerings
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime import load

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "codegen"))
from op_module import one_op_module  # noqa: E402
from test_codegen_ops import assert_agrees, cases_of, random_input  # noqa: E402

OPS = sorted(lowerings.GPU_LOWERINGS.keys() - {"print_value"}) + ["pad", "sort", "reshape"]
DTYPES = (T.f32, T.s64, T.u8, T.bf16)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """compiled(key, module) -> (artifact, module): the GPU emitter's MLIR through
    the CPU backend."""
    done = {}

    def get(key, module):
        if key not in done:
            c = Compilation(module)
            c.mlir, c.exports = lowerings.emit_module(module, c.context)
            out = tmp_path_factory.mktemp("gpu_on_cpu") / f"{key}_nxc"
            done[key] = load(c.write(str(out))), module
        return done[key]
    return get


@functools.cache
def cases(dt, variant):
    return [(f, op, t, a, n) for f, op, t, a, n in cases_of(dt, variant) if op in OPS]


def run_case(art, fn, what, n, near_one=False):
    rng = np.random.default_rng(zlib.crc32(what.encode()))
    shapes = [tuple(n if isinstance(d, Dim) else d for d in t.shape) for t in fn.param_types]
    if near_one:  # a long product of these neither overflows nor underflows
        args = [rng.uniform(0.999, 1.001, s).astype(t.dtype.numpy)
                for s, t in zip(shapes, fn.param_types)]
    else:
        args = [random_input(t, s, rng, False) for s, t in zip(shapes, fn.param_types)]
    with np.errstate(all="ignore"):
        want = run_function(fn, *args)
    got = getattr(art, fn.name)(*args)
    got = list(got) if isinstance(got, tuple) else [got]
    for g, w in zip(got, want):
        assert_agrees(what, np.asarray(g), w)


@pytest.mark.parametrize("dt", DTYPES, ids=str)
@pytest.mark.parametrize("variant", ["static", "symbolic"])
def test_gpu_lowerings_agree_with_the_interpreter(compiled, dt, variant):
    cs = cases(dt, variant)
    art, module = compiled(f"{variant}_{dt.name}", one_op_module(f"m_{variant}_{dt.name}",
                                                         [c[:4] for c in cs]))
    for fname, op, _types, _attrs, size in cs:
        for n in [None] if size is None else [size, size + 2]:
            run_case(art, module.functions[fname], f"{variant} {fname} {dt} n={n}", n)


@pytest.mark.parametrize("op", ["sum", "product", "reduce_max", "all", "any", "mean"])
def test_two_pass_reductions(compiled, op):
    """Full and few-result reductions over enough elements to use 1024 lanes,
    with fewer elements than lanes, none, and a length that is not a multiple.
    (A float product that overflows may differ: with 1024 partial products an
    infinity can meet a zero and give NaN where the sequential product gives
    0; docs/gpu.md.)"""
    vec = TensorType(T.f32, (Dim("n"),))
    cols = TensorType(T.f32, (Dim("n"), 3))
    m = one_op_module(f"two_pass_{op}", [("full", op, [vec], {"axes": (0,)}),
                                 ("cols", op, [cols], {"axes": (0,), "keep_axes": True})])
    art, module = compiled(f"two_pass_{op}", m)
    assert "c1024" in str(lowerings.emit_module(m, ir.Context())[0])  # the two-pass path
    for n in (0, 5, 5000, 4097):
        for fname in ("full", "cols"):
            run_case(art, module.functions[fname], f"{op} {fname} n={n}", n,
                     near_one=op == "product")
