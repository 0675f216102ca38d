"""dot: a packed, register-tiled product (f32, f64), or a `linalg.generic`.

f32 and f64 products of more than a few thousand flops (or of symbolic
size) call the generated matrix product of `gemm.py` on rank-3 views
A[batch, M, K], B[batch, K, N] and C[batch, M, N] of the operands and of a
result buffer. Each view dimension is one group of the operand's axes (batch,
free or contracted, in pairing order), one stride apart: a group of
consecutive axes is a reshape, so a row-major operand, or one whose group is a
single axis (a transposed matrix), is read in place; any other axis order is
transposed into a copy first.

Otherwise the loops run batch axes, a's free axes, the contracted axes, then b's free
axes innermost: for a matrix product that is the i-k-j order, whose inner loop
walks rows of b and of the result contiguously (LLVM vectorizes it), where the
i-j-k order of a plain `linalg.matmul` strides down b's columns (two orders of
magnitude slower on a 784x512 product). Each result element still sums its
products in increasing k.

Operands are converted to the promoted type; integers accumulate in it and
wrap (the reference's 64-bit sum reduced modulo 2**bits is the same number),
f16/bf16 accumulate in f32 and round once at the end.
"""
from __future__ import annotations

import math

from mlir import ir
from mlir.dialects import arith, bufferization, func, linalg, memref

from nxc.compiler.ir.types import Dim, TensorType

from .. import gemm
from .. import scalar as S
from ..mlir_types import compute_dtype, element_type, memref_type, tensor_type
from . import lowering

# Static products below this many flops keep the loop nest: it needs no call,
# packing or buffers.
GEMM_MIN_FLOPS = 2 * 24 ** 3


def _free(rank, contract, batch):
    return [i for i in range(rank) if i not in contract and i not in batch]


@lowering("dot")
def _dot(em, op, x, y):
    a, b = (v.type for v in op.operands)
    (ca, cb), (ba, bb) = op.attrs["contract_axes"], op.attrs["batch_axes"]
    out = op.result.type
    if _use_gemm(a, b, out, ca):
        fa, fb = _free(a.rank, ca, ba), _free(b.rank, cb, bb)
        return _gemm(em, x, a, [list(ba), fa, list(ca)], y, b, [list(bb), list(cb), fb], out)
    return loop_nest(em, op, x, y)


def loop_nest(em, op, x, y, reduction_last=False):
    """dot as one linalg.generic over batch axes, a's free axes, then the
    contracted axes and b's free axes: contracted first by default (i-k-j, rows
    of b stream through the cache), or last with `reduction_last` (each result
    element's sum in one loop: one GPU thread per element)."""
    a, b = (v.type for v in op.operands)
    out = op.result.type
    out_t = out.dtype
    acc_t = out_t if out_t.is_int else compute_dtype(out_t)
    (ca, cb), (ba, bb) = op.attrs["contract_axes"], op.attrs["batch_axes"]
    fa, fb = _free(a.rank, ca, ba), _free(b.rank, cb, bb)
    nb, nfa, nk, nfb = len(ba), len(fa), len(ca), len(fb)
    n_loops = nb + nfa + nk + nfb
    if reduction_last:
        first_fb = nb + nfa
        first_k = first_fb + nfb
        iters = ["parallel"] * first_k + ["reduction"] * nk
        out_exprs = list(range(first_k))
    else:
        first_k = nb + nfa
        first_fb = first_k + nk
        iters = ["parallel"] * first_k + ["reduction"] * nk + ["parallel"] * nfb
        out_exprs = list(range(first_k)) + list(range(first_fb, n_loops))

    def exprs(rank, batch, free, contract, free_offset):
        out_ = []
        for i in range(rank):
            if i in batch:
                out_.append(batch.index(i))
            elif i in contract:
                out_.append(first_k + contract.index(i))
            else:
                out_.append(free_offset + free.index(i))
        return out_

    acc = em.fill(out.with_dtype(acc_t), S.stored_const(acc_t, 0))

    def body(p, q, s):
        p = S.convert(S.convert(p, a.dtype, out_t), out_t, acc_t)
        q = S.convert(S.convert(q, b.dtype, out_t), out_t, acc_t)
        return S.add(acc_t, s, S.mul(acc_t, p, q))
    r = em.generic([(x, exprs(a.rank, list(ba), fa, list(ca), nb)),
                    (y, exprs(b.rank, list(bb), fb, list(cb), first_fb))],
                   [(acc, out_exprs)], n_loops, iters, body)
    if acc_t == out_t:
        return r
    return em.elementwise(out, [(r, out.with_dtype(acc_t))],
                          lambda v: S.convert(v, acc_t, out_t))


def _use_gemm(a, b, out, contract) -> bool:
    if not (a.dtype == b.dtype == out.dtype and out.dtype in gemm.SHAPES):
        return False
    sizes = list(out.shape) + [a.shape[i] for i in contract]
    if any(isinstance(d, Dim) for d in sizes):
        return True
    return 2 * math.prod(sizes) >= GEMM_MIN_FLOPS


def _gemm(em, x, a, a_groups, y, b, b_groups, out):
    """C = A B through `gemm.symbol`: the result buffer is written by the call."""
    va = _view(em, x, a, a_groups)
    vb = _view(em, y, b, b_groups)
    buf = memref.alloc(memref_type(out), em.dynamic_sizes(out), [])
    n_batch, n_free_a = len(a_groups[0]), len(a_groups[1])
    axes = list(range(out.rank))
    vc = _reinterpret(em, buf, out, [axes[:n_batch], axes[n_batch:n_batch + n_free_a],
                                     axes[n_batch + n_free_a:]])
    symbol = gemm.symbol(out.dtype)
    em.declare(symbol, [va.type, vb.type, vc.type], [])
    func.CallOp([], ir.FlatSymbolRefAttr.get(symbol), [va, vb, vc])
    return bufferization.to_tensor(tensor_type(out), buf, restrict=True, writable=True)


def _consecutive(axes) -> bool:
    return all(q == p + 1 for p, q in zip(axes, axes[1:]))


def _view(em, value, t: TensorType, groups):
    """A rank-3 view of tensor `value`, one dimension per group of axes."""
    if not all(_consecutive(g) for g in groups):
        perm = [i for g in groups for i in g]
        t = TensorType(t.dtype, tuple(t.shape[i] for i in perm))
        value = linalg.transpose(value, outs=[em.empty(t)], permutation=perm)
        bounds = [0]
        for g in groups:
            bounds.append(bounds[-1] + len(g))
        groups = [list(range(lo, hi)) for lo, hi in zip(bounds, bounds[1:])]
    buf = bufferization.to_buffer(memref_type(t), value, read_only=True)
    return _reinterpret(em, buf, t, groups)


def _reinterpret(em, buf, t: TensorType, groups):
    """The row-major buffer `buf` of type `t` seen as rank 3: each group of
    consecutive axes is one dimension (size 1 when empty), strided like its last axis."""
    sizes = [em.size(d) for d in t.shape]
    strides = [S.index(1)] * t.rank
    for i in range(t.rank - 2, -1, -1):
        strides[i] = arith.muli(strides[i + 1], sizes[i + 1])
    view_sizes, view_strides = [], []
    for g in groups:
        size = S.index(1)
        for i in g:
            size = arith.muli(size, sizes[i])
        view_sizes.append(size)
        view_strides.append(strides[g[-1]] if g else S.index(0))
    dyn = ir.ShapedType.get_dynamic_size()
    dyn_stride = ir.ShapedType.get_dynamic_stride_or_offset()
    elem = element_type(t.dtype)
    fixed = ir.MemRefType.get([dyn] * 3, elem, ir.StridedLayoutAttr.get(0, [dyn_stride] * 3))
    loose = ir.MemRefType.get([dyn] * 3, elem,
                              ir.StridedLayoutAttr.get(dyn_stride, [dyn_stride] * 3))
    view = memref.reinterpret_cast(fixed, buf, [], view_sizes, view_strides, [0], [dyn] * 3,
                                   [dyn_stride] * 3)
    return memref.cast(loose, view)
