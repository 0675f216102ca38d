"""Nx's element-wise functions beyond the core arithmetic of api.py: hyperbolic
and inverse trigonometric math, erfc/erf_inv, log2/log10, element tests,
complex parts, bitwise ops and bitcast.

Each is one op of compiler/ir/ops (unary_math, predicates, complex_parts,
bitwise), called through `apply`: eager on tensors, traced inside defn.
Math functions return floats (integers give f32); bitwise functions take
integers only.
"""
from __future__ import annotations

from ._dispatch import apply

__all__ = [
    "cosh", "sinh", "acos", "asin", "atan", "acosh", "asinh", "atanh", "cbrt", "erfc",
    "erf_inv", "log2", "log10", "is_nan", "is_infinity", "logical_xor", "conjugate", "real",
    "imag", "phase", "complex", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "left_shift", "right_shift", "population_count", "count_leading_zeros", "bitcast"]

# ---------------------------------------------------------------------------
# Unary math (real types; integers give f32)
# ---------------------------------------------------------------------------


def cosh(tensor):
    """The hyperbolic cosine."""
    return apply("cosh", tensor)


def sinh(tensor):
    """The hyperbolic sine."""
    return apply("sinh", tensor)


def acos(tensor):
    """The inverse cosine, in [0, pi] (nan outside [-1, 1])."""
    return apply("acos", tensor)


def asin(tensor):
    """The inverse sine, in [-pi/2, pi/2] (nan outside [-1, 1])."""
    return apply("asin", tensor)


def atan(tensor):
    """The inverse tangent, in [-pi/2, pi/2]."""
    return apply("atan", tensor)


def acosh(tensor):
    """The inverse hyperbolic cosine (nan below 1)."""
    return apply("acosh", tensor)


def asinh(tensor):
    """The inverse hyperbolic sine."""
    return apply("asinh", tensor)


def atanh(tensor):
    """The inverse hyperbolic tangent (+-inf at +-1, nan beyond)."""
    return apply("atanh", tensor)


def cbrt(tensor):
    """The real cube root (cbrt(-8) is -2)."""
    return apply("cbrt", tensor)


def erfc(tensor):
    """1 - erf(tensor), accurate where erf is close to 1."""
    return apply("erfc", tensor)


def erf_inv(tensor):
    """The inverse error function on (-1, 1); +-inf at +-1, nan beyond."""
    return apply("erf_inv", tensor)


def log2(tensor):
    """The base-2 logarithm (exact at powers of two); complex accepted."""
    return apply("log2", tensor)


def log10(tensor):
    """The base-10 logarithm; complex accepted."""
    return apply("log10", tensor)


# ---------------------------------------------------------------------------
# Element tests and logic: u8 results of 0 and 1
# ---------------------------------------------------------------------------


def is_nan(tensor):
    """1 where the element is NaN (either part of a complex number), else 0; integers: 0."""
    return apply("is_nan", tensor)


def is_infinity(tensor):
    """1 where the element is +inf or -inf (either part of a complex number), else 0."""
    return apply("is_infinity", tensor)


def logical_xor(left, right):
    """1 where exactly one of left and right is non-zero, else 0 (u8)."""
    return apply("logical_xor", left, right)


# ---------------------------------------------------------------------------
# Complex numbers and their parts
# ---------------------------------------------------------------------------


def conjugate(tensor):
    """The complex conjugate; real tensors become complex (f32 -> c64, f64 -> c128)."""
    return apply("conjugate", tensor)


def real(tensor):
    """The real part as a float tensor (c64 -> f32); real tensors become floats."""
    return apply("real", tensor)


def imag(tensor):
    """The imaginary part as a float tensor (c64 -> f32); zero for real tensors."""
    return apply("imag", tensor)


def phase(tensor):
    """The angle atan2(imag, real) of each element, in [-pi, pi]."""
    return apply("phase", tensor)


def complex(real, imag):
    """The complex tensor real + imag * i (real types; f64 parts give c128, others c64)."""
    return apply("complex", real, imag)


# ---------------------------------------------------------------------------
# Bitwise (integer types only)
# ---------------------------------------------------------------------------


def bitwise_and(left, right):
    """The bits set in both."""
    return apply("bitwise_and", left, right)


def bitwise_or(left, right):
    """The bits set in either."""
    return apply("bitwise_or", left, right)


def bitwise_xor(left, right):
    """The bits set in exactly one."""
    return apply("bitwise_xor", left, right)


def bitwise_not(tensor):
    """Every bit flipped."""
    return apply("bitwise_not", tensor)


def left_shift(left, right):
    """left shifted left by right bits; a count outside [0, bits) gives 0."""
    return apply("left_shift", left, right)


def right_shift(left, right):
    """left shifted right by right bits: arithmetic for signed types, logical for
    unsigned ones; a count outside [0, bits) shifts every bit out."""
    return apply("right_shift", left, right)


def population_count(tensor):
    """The number of set bits of each element."""
    return apply("population_count", tensor)


def count_leading_zeros(tensor):
    """The number of zero bits above the highest set bit of each element."""
    return apply("count_leading_zeros", tensor)


def bitcast(tensor, type):
    """The same bits read as `type`, a real type of the same bit width."""
    return apply("bitcast", tensor, type=type)
