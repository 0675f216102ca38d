"""Type conversion with Nx semantics, and the `as_type` op.

Integers wrap on overflow; float -> int truncates toward zero and saturates
(+inf and too-large values -> max, -inf -> min, NaN -> 0); complex -> real keeps
the real part; f16/bf16 round to nearest even.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes
from ..dtypes import DType
from ..registry import REQUIRED, register
from ..types import TensorType


def convert(a: np.ndarray, dt: DType) -> np.ndarray:
    a = np.asarray(a)
    target = dt.numpy
    if a.dtype == target:
        return a
    src_complex = np.iscomplexobj(a)
    if src_complex and not dt.is_complex:
        a = a.real
    if dt.is_int:
        if a.dtype.kind == "f" or a.dtype == np.dtype(dtypes.bf16.numpy):
            return _float_to_int(a.astype(np.float64), dt)
        if a.dtype == np.bool_:
            return a.astype(target)
        # int -> int wraps (two's complement), as numpy's astype does.
        return a.astype(target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        if dt == dtypes.bf16 and a.dtype.kind in "iub":
            a = a.astype(np.float64)
        return a.astype(target)


def _float_to_int(a: np.ndarray, dt: DType) -> np.ndarray:
    lo, hi = dt.min_value(), dt.max_value()
    t = np.trunc(a)
    out = np.zeros(a.shape, dtype=dt.numpy)
    ok = ~np.isnan(t)
    # Compare in float64: values at or beyond the bounds saturate.
    too_big = ok & (t >= float(hi))
    too_small = ok & (t <= float(lo))
    mid = ok & ~too_big & ~too_small
    out[mid] = t[mid].astype(dt.numpy)
    out[too_big] = hi
    out[too_small] = lo
    return out


def _samples(dt):
    return [([TensorType(dt, (2, 3))], {"type": t}) for t in dtypes.ALL]


def _canon(types, attrs):
    return {"type": dtypes.parse(attrs["type"])}


@register("as_type", ref=lambda x, *, type: convert(x, type), attrs={"type": REQUIRED},
          canon=_canon, samples=_samples)
def as_type(x, *, type):
    """Convert every element to `type` with Nx's conversion semantics."""
    return x.with_dtype(type)
