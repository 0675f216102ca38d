"""cosh ... atanh, cbrt, erfc, erf_inv, log2, log10 (compiler/ir/ops/unary_math.py).

Reals call the C math library in the compute type; erfc and erf_inv compute in
f64 as their references do; erf_inv runs the reference's algorithm step for
step (Giles' polynomial, Newton steps on erf).
"""
from __future__ import annotations

from mlir.dialects import arith
from mlir.dialects import complex as cx
from mlir.dialects import math

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.dtypes import to_float
from nxc.compiler.ir.ops.unary_math import (ERF_INV_CENTRAL, ERF_INV_NEWTON_STEPS,
                                            ERF_INV_TAIL, LN2, LN10, TWO_OVER_SQRT_PI)

from .. import scalar as S
from ..mlir_types import compute_type
from .element_kernels import kernel_op, libm

F64 = dtypes.f64


def _f64(c):
    return F64


def _libm(name):
    return lambda em, c, x: libm(em, name, c, x)


def _erfc(em, c, x):
    return libm(em, "erfc", F64, S.convert(x, c, F64))


def _horner(coefficients, w):
    p = S.const(F64, coefficients[0])
    for k in coefficients[1:]:
        p = arith.addf(S.const(F64, k), arith.mulf(p, w))
    return p


def _erf_inv(em, c, x):
    y = S.convert(x, c, F64)
    one = S.const(F64, 1)
    w = arith.negf(math.log(arith.mulf(arith.subf(one, y), arith.addf(one, y))))
    central = _horner(ERF_INV_CENTRAL, arith.subf(w, S.const(F64, 2.5)))
    tail = _horner(ERF_INV_TAIL, arith.subf(math.sqrt(w), S.const(F64, 3)))
    r = arith.mulf(arith.select(S.compare(F64, "lt", w, S.const(F64, 5)), central, tail), y)
    for _ in range(ERF_INV_NEWTON_STEPS):
        slope = arith.mulf(S.const(F64, TWO_OVER_SQRT_PI),
                           math.exp(arith.negf(arith.mulf(r, r))))
        r = arith.subf(r, arith.divf(arith.subf(libm(em, "erf", F64, r), y), slope))
    at_one = S.compare(F64, "eq", math.absf(y), one)
    return arith.select(at_one, math.copysign(S.const(F64, float("inf")), y), r)


def _log_base(name, scale):
    """log2/log10: the C library on reals; on complex numbers
    (log |z|, atan2(im, re)) / log(base), as the reference computes them."""
    def kernel(em, c, x):
        if not c.is_complex:
            return libm(em, name, c, x)
        part = c.real
        re, im = cx.re(x), cx.im(x)
        k = S.const(part, scale)
        return cx.create_(compute_type(c),
                          arith.divf(math.log(libm(em, "hypot", part, re, im)), k),
                          arith.divf(libm(em, "atan2", part, im, re), k))
    return kernel


for _name in ("cosh", "sinh", "acos", "asin", "atan", "acosh", "asinh", "atanh", "cbrt"):
    kernel_op(_name, _libm(_name), operand=to_float)
kernel_op("erfc", _erfc, operand=to_float, result=_f64)
kernel_op("erf_inv", _erf_inv, operand=to_float, result=_f64)
kernel_op("log2", _log_base("log2", LN2), operand=to_float)
kernel_op("log10", _log_base("log10", LN10), operand=to_float)
