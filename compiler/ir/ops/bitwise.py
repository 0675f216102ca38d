"""Ops on the bits of integers, and bitcast.

Binary bitwise ops promote their operands with Nx's table (integers only).
Shifts are total, as compiled code must be: a shift count outside
[0, bits of the type) shifts every bit out, giving 0 for left_shift and for
right_shift of a non-negative value, -1 for right_shift of a negative one.
right_shift is arithmetic on signed types, logical on unsigned ones.
population_count and count_leading_zeros count over the type's width (the
two's complement bits of a negative value).
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import DTypeError

from .. import dtypes
from ..registry import REQUIRED, register
from ..types import TensorType
from .elementwise import binary, unary


def _in_range(y, bits):
    return (y >= 0) & (y < bits)


def _left_shift(x, y):
    bits = x.dtype.itemsize * 8
    ok = _in_range(y, bits)
    shifted = np.left_shift(x, np.where(ok, y, 0).astype(y.dtype))
    return np.where(ok, shifted, 0).astype(x.dtype)


def _right_shift(x, y):
    bits = x.dtype.itemsize * 8
    ok = _in_range(y, bits)
    shifted = np.right_shift(x, np.where(ok, y, 0).astype(y.dtype))  # arithmetic when signed
    fill = np.where(x < 0, -1, 0).astype(x.dtype) if x.dtype.kind == "i" else 0
    return np.where(ok, shifted, fill).astype(x.dtype)


def _unsigned_view(x):
    return x.view(np.dtype(f"u{x.dtype.itemsize}"))


def _population_count(x):
    return np.bitwise_count(_unsigned_view(x)).astype(x.dtype)


def _count_leading_zeros(x):
    bits = x.dtype.itemsize * 8
    u = _unsigned_view(x)
    count = np.full(x.shape, bits, dtype=np.int64)
    for k in range(bits):  # the highest set bit decides
        set_here = ((u >> np.array(k, u.dtype)) & np.array(1, u.dtype)) == 1
        count = np.where(set_here, bits - 1 - k, count)
    return count.astype(x.dtype)


binary("bitwise_and", np.bitwise_and, "The bits set in both x and y.", accepts=dtypes.INTEGER)
binary("bitwise_or", np.bitwise_or, "The bits set in x or y.", accepts=dtypes.INTEGER)
binary("bitwise_xor", np.bitwise_xor, "The bits set in exactly one of x and y.",
       accepts=dtypes.INTEGER)
binary("left_shift", _left_shift,
       "x shifted left by y bits; integers wrap. A count outside [0, bits) gives 0.",
       accepts=dtypes.INTEGER)
binary("right_shift", _right_shift,
       "x shifted right by y bits: arithmetic (sign-filling) for signed types, logical for "
       "unsigned ones. A count outside [0, bits) gives 0, or -1 for a negative x.",
       accepts=dtypes.INTEGER)
unary("bitwise_not", np.invert, "Every bit flipped (-x - 1 for signed types).",
      accepts=dtypes.INTEGER)
unary("population_count", _population_count,
      "The number of bits set, over the type's width (-1 in s8 has 8).",
      accepts=dtypes.INTEGER)
unary("count_leading_zeros", _count_leading_zeros,
      "The number of zero bits above the highest set bit (the width for 0, 0 for negative "
      "values).", accepts=dtypes.INTEGER)


# ---------------------------------------------------------------------------
# bitcast
# ---------------------------------------------------------------------------

NOT_BITCAST = dtypes.COMPLEX


def _canon_bitcast(types, attrs):
    (x,) = types
    t = dtypes.parse(attrs["type"])
    if t in NOT_BITCAST:
        raise DTypeError(f"bitcast cannot produce the complex type {t}; it reinterprets the "
                         f"bits of real types only")
    if t.bits != x.dtype.bits:
        raise DTypeError(f"bitcast needs a type of the same bit width: {x} has {x.dtype.bits}-"
                         f"bit elements, {t} has {t.bits}")
    return {"type": t}


def _bitcast_samples(dt):
    return [([TensorType(dt, (2, 3))], {"type": t})
            for t in dtypes.REAL if t.bits == dt.bits] + \
           [([TensorType(dt, (4,), ("x",))], {"type": dt})]


@register("bitcast", ref=lambda x, *, type: x.view(type.numpy), attrs={"type": REQUIRED},
          accepts=dtypes.REAL, canon=_canon_bitcast, samples=_bitcast_samples)
def bitcast(x, *, type):
    """The same bits read as `type`, a real type of the same width (no conversion:
    1.0 in f32 is 1065353216 in s32)."""
    return x.with_dtype(type)

