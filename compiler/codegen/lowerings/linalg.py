"""dot: a contraction, as `linalg.matmul` / `linalg.batch_matmul` where it is one
(same-typed f32/f64 operands in matrix layout), else as a `linalg.generic`.

Operands are converted to the promoted type; integers accumulate in it and
wrap (the reference's 64-bit sum reduced modulo 2**bits is the same number),
f16/bf16 accumulate in f32 and round once at the end.
"""
from __future__ import annotations

from mlir.dialects import linalg

from nxc.compiler.ir import dtypes

from .. import scalar as S
from ..mlir_types import compute_dtype
from . import lowering


def _free(rank, contract, batch):
    return [i for i in range(rank) if i not in contract and i not in batch]


def _named(op, out_t):
    """linalg.matmul or batch_matmul when the dot is exactly one, else None."""
    a, b = (v.type for v in op.operands)
    (ca, cb), (ba, bb) = op.attrs["contract_axes"], op.attrs["batch_axes"]
    if out_t not in (dtypes.f32, dtypes.f64) or a.dtype != out_t or b.dtype != out_t:
        return None
    nb = len(ba)
    if a.rank != nb + 2 or b.rank != nb + 2 or nb > 1:
        return None
    if tuple(ba) != tuple(range(nb)) or tuple(bb) != tuple(range(nb)):
        return None
    if tuple(ca) != (nb + 1,) or tuple(cb) != (nb,):
        return None
    return linalg.batch_matmul if nb else linalg.matmul


@lowering("dot")
def _dot(em, op, x, y):
    a, b = (v.type for v in op.operands)
    out = op.result.type
    out_t = out.dtype
    acc_t = out_t if out_t.is_int else compute_dtype(out_t)
    named = _named(op, out_t)
    if named is not None:
        acc = em.fill(out, S.stored_const(out_t, 0))
        return named(x, y, outs=[acc])
    (ca, cb), (ba, bb) = op.attrs["contract_axes"], op.attrs["batch_axes"]
    fa, fb = _free(a.rank, ca, ba), _free(b.rank, cb, bb)
    nb, nfa, nfb = len(ba), len(fa), len(fb)
    first_k = nb + nfa + nfb

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

    n_loops = first_k + len(ca)
    iters = ["parallel"] * first_k + ["reduction"] * len(ca)
    acc = em.fill(out.with_dtype(acc_t), S.stored_const(acc_t, 0))

    def body(p, q, s):
        p = S.convert(S.convert(p, a.dtype, out_t), out_t, acc_t)
        q = S.convert(S.convert(q, b.dtype, out_t), out_t, acc_t)
        return S.add(acc_t, s, S.mul(acc_t, p, q))
    r = em.generic([(x, exprs(a.rank, list(ba), fa, list(ca), nb)),
                    (y, exprs(b.rank, list(bb), fb, list(cb), nb + nfa))],
                   [(acc, list(range(first_k)))], n_loops, iters, body)
    if acc_t == out_t:
        return r
    return em.elementwise(out, [(r, out.with_dtype(acc_t))],
                          lambda v: S.convert(v, acc_t, out_t))
