"""is_nan, is_infinity, logical_xor (compiler/ir/ops/predicates.py): u8 results."""
from __future__ import annotations

from mlir.dialects import arith
from mlir.dialects import complex as cx
from mlir.dialects import math

from nxc.compiler.ir import dtypes

from .. import scalar as S
from . import lowering


def _nan(part, v):
    return S.is_nan(part, v)


def _infinite(part, v):
    return S.compare(part, "eq", math.absf(v), S.const(part, float("inf")))


def _test(check):
    """An i1 test of a storage value: false for integers, either part for complex."""
    def lower(em, op, x):
        src = op.operands[0].type
        dt = src.dtype

        def body(v):
            if dt.is_int:
                return S.stored_const(dtypes.u8, 0)
            if dt.is_complex:
                hit = arith.ori(check(dt.real, cx.re(v)), check(dt.real, cx.im(v)))
            else:
                hit = check(dt, S.load(v, dt))
            return S.convert(hit, S.BOOL, dtypes.u8)
        return em.elementwise(op.result.type, [(x, src)], body)
    return lower


lowering("is_nan")(_test(_nan))
lowering("is_infinity")(_test(_infinite))


@lowering("logical_xor")
def _logical_xor(em, op, x, y):
    tx, ty = (v.type for v in op.operands)
    return em.elementwise(op.result.type, [(x, tx), (y, ty)],
                          lambda a, b: S.convert(arith.xori(S.truth(a, tx.dtype),
                                                            S.truth(b, ty.dtype)),
                                                 S.BOOL, dtypes.u8))
