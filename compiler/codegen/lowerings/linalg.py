"""dot: a contraction as a `linalg.generic`.

The loops run batch axes, a's free axes, the contracted axes, then b's free
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

from .. import scalar as S
from ..mlir_types import compute_dtype
from . import lowering


def _free(rank, contract, batch):
    return [i for i in range(rank) if i not in contract and i not in batch]


@lowering("dot")
def _dot(em, op, x, y):
    a, b = (v.type for v in op.operands)
    out = op.result.type
    out_t = out.dtype
    acc_t = out_t if out_t.is_int else compute_dtype(out_t)
    (ca, cb), (ba, bb) = op.attrs["contract_axes"], op.attrs["batch_axes"]
    fa, fb = _free(a.rank, ca, ba), _free(b.rank, cb, bb)
    nb, nfa, nk, nfb = len(ba), len(fa), len(ca), len(fb)
    first_k, first_fb = nb + nfa, nb + nfa + nk

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

    n_loops = first_fb + nfb
    iters = ["parallel"] * first_k + ["reduction"] * nk + ["parallel"] * nfb
    out_exprs = list(range(first_k)) + list(range(first_fb, n_loops))
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
