"""Unary math beyond the foundation's: hyperbolic and inverse trigonometric
functions, cbrt, erfc, erf_inv, log2 and log10.

All follow the pattern of compiler/ir/ops/elementwise.py: integers become f32,
f16/bf16 compute in f32 and round once. erfc and erf_inv compute in f64 (as erf
does), so every float type gets the correctly rounded f64 value rounded once.
Complex inputs are accepted by log2 and log10 only (docs/ops-departures.md).
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from .elementwise import unary

LN2, LN10 = math.log(2), math.log(10)

_vector_erf = np.vectorize(math.erf, otypes=[np.float64])
_vector_erfc = np.vectorize(math.erfc, otypes=[np.float64])

# Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): the
# single-precision polynomials, in w - 2.5 for w < 5 and sqrt(w) - 3 beyond.
ERF_INV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
ERF_INV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
ERF_INV_NEWTON_STEPS = 2
TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _horner(coefficients, w):
    p = coefficients[0]
    for c in coefficients[1:]:
        p = c + p * w
    return p


def _erf_inv(y):
    """Giles' approximation refined by Newton steps on erf, in f64: the same
    sequence of operations the CPU lowering emits."""
    y = y.astype(np.float64)
    w = -np.log((1 - y) * (1 + y))
    central = _horner(ERF_INV_CENTRAL, w - 2.5)
    tail = _horner(ERF_INV_TAIL, np.sqrt(w) - 3)
    x = np.where(w < 5, central, tail) * y
    for _ in range(ERF_INV_NEWTON_STEPS):
        x = x - (_vector_erf(x) - y) / (TWO_OVER_SQRT_PI * np.exp(-(x * x)))
    return np.where(np.abs(y) == 1, np.copysign(np.inf, y), x)


def _complex_or(real_kernel, scale):
    """log2/log10: numpy's kernel on reals; on complex numbers the natural log
    (log |z|, arg z) divided by log(base), as the lowering computes it."""
    def kernel(x):
        if np.iscomplexobj(x):
            part = x.real.dtype.type
            re = np.log(np.hypot(x.real, x.imag)) / part(scale)
            im = np.arctan2(x.imag, x.real) / part(scale)
            return (re + 1j * im).astype(x.dtype)
        return real_kernel(x)
    return kernel


_REAL = {
    "cosh": (np.cosh, "The hyperbolic cosine."),
    "sinh": (np.sinh, "The hyperbolic sine."),
    "acos": (np.arccos, "The inverse cosine, in [0, pi]; nan outside [-1, 1]."),
    "asin": (np.arcsin, "The inverse sine, in [-pi/2, pi/2]; nan outside [-1, 1]."),
    "atan": (np.arctan, "The inverse tangent, in [-pi/2, pi/2]."),
    "acosh": (np.arccosh, "The inverse hyperbolic cosine; nan below 1."),
    "asinh": (np.arcsinh, "The inverse hyperbolic sine."),
    "atanh": (np.arctanh, "The inverse hyperbolic tangent; +-inf at +-1, nan beyond."),
    "cbrt": (np.cbrt, "The real cube root (negative for negative x)."),
}
for _name, (_kernel, _doc) in _REAL.items():
    unary(_name, _kernel, _doc + " Real types; integers become f32.", accepts=dtypes.REAL,
          operand=dtypes.to_float)

unary("erfc", lambda x: _vector_erfc(x.astype(np.float64)),
      "The complementary error function 1 - erf(x), accurate where erf is near 1. Real "
      "types; integers become f32.", accepts=dtypes.REAL, operand=dtypes.to_float)
unary("erf_inv", _erf_inv,
      "The inverse error function: erf(erf_inv(y)) = y on (-1, 1); +-inf at +-1, nan "
      "beyond. Real types; integers become f32.", accepts=dtypes.REAL, operand=dtypes.to_float)
unary("log2", _complex_or(np.log2, LN2),
      "The base-2 logarithm (exact at powers of two). Integers become f32.",
      operand=dtypes.to_float)
unary("log10", _complex_or(np.log10, LN10),
      "The base-10 logarithm. Integers become f32.", operand=dtypes.to_float)
