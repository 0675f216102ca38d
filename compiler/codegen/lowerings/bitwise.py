"""Bitwise ops, shifts, bit counts and bitcast (compiler/ir/ops/bitwise.py).

LLVM makes a shift by the type's width or more poison, so the shift count is
replaced by 0 where it is out of range and the result selected afterwards.
"""
from __future__ import annotations

from mlir.dialects import arith
from mlir.dialects import math

from .. import scalar as S
from ..mlir_types import element_type
from . import lowering
from .element_kernels import kernel_op


def _in_range(c, y):
    # Unsigned comparison: a negative count reads as a huge one.
    return arith.cmpi(S.I.ult, y, S.const(c, c.bits))


def _left_shift(em, c, x, y):
    ok = _in_range(c, y)
    zero = S.const(c, 0)
    return arith.select(ok, arith.shli(x, arith.select(ok, y, zero)), zero)


def _right_shift(em, c, x, y):
    ok = _in_range(c, y)
    zero = S.const(c, 0)
    safe = arith.select(ok, y, zero)
    if c.is_unsigned:
        return arith.select(ok, arith.shrui(x, safe), zero)
    fill = arith.select(S.compare(c, "lt", x, zero), S.const(c, -1), zero)
    return arith.select(ok, arith.shrsi(x, safe), fill)


kernel_op("bitwise_and", lambda em, c, x, y: arith.andi(x, y))
kernel_op("bitwise_or", lambda em, c, x, y: arith.ori(x, y))
kernel_op("bitwise_xor", lambda em, c, x, y: arith.xori(x, y))
kernel_op("left_shift", _left_shift)
kernel_op("right_shift", _right_shift)
kernel_op("bitwise_not", lambda em, c, x: arith.xori(x, S.const(c, -1)))
kernel_op("population_count", lambda em, c, x: math.ctpop(x))
kernel_op("count_leading_zeros", lambda em, c, x: math.ctlz(x))


@lowering("bitcast")
def _bitcast(em, op, x):
    src = op.operands[0].type
    out = op.result.type
    same = element_type(src.dtype) == element_type(out.dtype)  # bf16 is stored as i16

    def body(v):
        return v if same else arith.bitcast(element_type(out.dtype), v)
    return em.elementwise(out, [(x, src)], body)
