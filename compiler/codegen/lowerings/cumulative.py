"""The cumulative ops, following `compiler/ir/ops/cumulative.py`: one scf.for over
the scanned axis (in reverse with `reverse`) carries the running value, a
slice of the operand with the axis of size 1, in the compute type (f16/bf16
in f32, rounded once per result); the first step takes the first slice, each
later step combines the next slice into it; each writes it, rounded, into the
result. Linear in the axis size.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf

from nxc.compiler.ir.types import TensorType

from .. import scalar as S
from ..mlir_types import compute_dtype
from . import lowering
from .shape import extract, insert

# name: (combine on compute values, identity of the compute dtype)
_SCANS = {
    "cumulative_sum": (S.add, lambda c: 0),
    "cumulative_product": (S.mul, lambda c: 1),
    "cumulative_min": (S.minimum, lambda c: float("inf") if c.is_float else c.max_value()),
    "cumulative_max": (S.maximum, lambda c: float("-inf") if c.is_float else c.min_value()),
}


@lowering(*_SCANS)
def _cumulative(em, op, x):
    t = op.operands[0].type
    axis, reverse = op.attrs["axis"], op.attrs["reverse"]
    dt = t.dtype
    c = compute_dtype(dt)
    combine, identity = _SCANS[op.name]
    row = TensorType(dt, t.shape[:axis] + (1,) + t.shape[axis + 1:])
    acc_t = row.with_dtype(c)
    n = em.size(t.shape[axis])
    ones = (1,) * t.rank
    loop = scf.ForOp(S.index(0), n, S.index(1),
                     [em.fill(acc_t, S.const(c, identity(c))), em.empty(t)])
    with ir.InsertionPoint(loop.body):
        step = loop.induction_variable
        i = arith.subi(arith.subi(n, S.index(1)), step) if reverse else step
        offsets = [0] * t.rank
        offsets[axis] = i
        part = extract(em, x, row, offsets, row.shape, ones)
        acc, out = loop.inner_iter_args
        # The first element is taken as it is: (1 + 0j) * x is not x when x has an
        # infinite part.
        first = arith.cmpi(arith.CmpIPredicate.eq, step, S.index(0))
        acc = em.elementwise(acc_t, [(acc, acc_t), (part, row)],
                             lambda a, e: arith.select(first, S.load(e, dt),
                                                       combine(c, a, S.load(e, dt))))
        stored = em.elementwise(row, [(acc, acc_t)], lambda a: S.store(a, dt))
        scf.YieldOp([acc, insert(em, stored, out, offsets, row.shape, ones)])
    return loop.results[1]
