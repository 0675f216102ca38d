"""Nx.Constants: scalar tensors of common constants, `nx.constants.pi()`.

Each returns a rank-0 tensor of the given type (f32 by default where Nx has a
default); usable eagerly and inside defn, where it becomes a constant. Values
are rounded to nearest in the target type (Nx truncates to bf16, so e and
euler_gamma differ in bf16: docs/ops-departures.md).
"""
from __future__ import annotations

import math

from nxc.compiler.ir import dtypes
from nxc.runtime.errors import DTypeError

from .tensor import tensor as _tensor

__all__ = ["e", "pi", "euler_gamma", "i", "nan", "infinity", "neg_infinity", "epsilon",
           "max", "min", "max_finite", "min_finite", "smallest_positive_normal"]

EULER_GAMMA = 0.57721566490153286060651209008240243104215933593992


def _float_type(type, what):
    t = dtypes.parse(type)
    if not t.is_float:
        raise DTypeError(f"nx.constants.{what} takes a floating type (f16, bf16, f32, f64), "
                         f"got {t}")
    return t


def _real_type(type, what):
    t = dtypes.parse(type)
    if t.is_complex:
        raise DTypeError(f"nx.constants.{what} takes a real type, got {t}")
    return t


def _finfo(t):
    import ml_dtypes
    return ml_dtypes.finfo(t.numpy)


def _scalar(value, t):
    return _tensor(value, dtype=t)


def e(type=dtypes.f32):
    """Euler's number e in a floating type (f32 by default)."""
    return _scalar(math.e, _float_type(type, "e"))


def pi(type=dtypes.f32):
    """pi in a floating type (f32 by default)."""
    return _scalar(math.pi, _float_type(type, "pi"))


def euler_gamma(type=dtypes.f32):
    """The Euler-Mascheroni constant in a floating type (f32 by default)."""
    return _scalar(EULER_GAMMA, _float_type(type, "euler_gamma"))


def i(type=dtypes.c64):
    """The imaginary unit 0 + 1i in a complex type (c64 by default)."""
    t = dtypes.parse(type)
    if not t.is_complex:
        raise DTypeError(f"nx.constants.i takes a complex type (c64, c128), got {t}")
    return _scalar(1j, t)


def nan(type=dtypes.f32):
    """NaN in a floating type (f32 by default)."""
    return _scalar(math.nan, _float_type(type, "nan"))


def infinity(type=dtypes.f32):
    """+inf in a floating type (f32 by default)."""
    return _scalar(math.inf, _float_type(type, "infinity"))


def neg_infinity(type=dtypes.f32):
    """-inf in a floating type (f32 by default)."""
    return _scalar(-math.inf, _float_type(type, "neg_infinity"))


def epsilon(type):
    """The machine epsilon of a floating type: the gap between 1 and the next value."""
    t = _float_type(type, "epsilon")
    return _scalar(float(_finfo(t).eps), t)


def smallest_positive_normal(type):
    """The smallest positive normal value of a floating type."""
    t = _float_type(type, "smallest_positive_normal")
    return _scalar(float(_finfo(t).smallest_normal), t)


def max_finite(type):
    """The largest finite value of a real type."""
    t = _real_type(type, "max_finite")
    return _scalar(t.max_value() if t.is_int else float(_finfo(t).max), t)


def min_finite(type):
    """The smallest (most negative) finite value of a real type."""
    t = _real_type(type, "min_finite")
    return _scalar(t.min_value() if t.is_int else float(_finfo(t).min), t)


def max(type):
    """The largest value of a real type: +inf for floating types."""
    t = _real_type(type, "max")
    return _scalar(t.max_value() if t.is_int else math.inf, t)


def min(type):
    """The smallest value of a real type: -inf for floating types."""
    t = _real_type(type, "min")
    return _scalar(t.min_value() if t.is_int else -math.inf, t)

