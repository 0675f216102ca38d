"""Cumulative reductions: cumulative_sum, cumulative_product, cumulative_min,
cumulative_max.

Element i along `axis` (default 0; an int, negative int or name) combines the
elements 0..i, or i..n-1 with `reverse`. The result has the operand's type,
shape and names, as in Nx: integers wrap in their own type, f16/bf16
accumulate in f32 and round each result once, min/max propagate NaN.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ShapeError

from .. import dtypes
from ..registry import register
from ..types import TensorType, axis_index
from .cast import convert
from .reductions import _check_bool, accumulator


def _canon(op):
    def canon(types, attrs):
        (x,) = types
        if x.rank == 0:
            raise ShapeError(f"{op} of the scalar {x}: there is no axis to accumulate along")
        return {"axis": axis_index(x, attrs["axis"]),
                "reverse": _check_bool(op, "reverse", attrs["reverse"])}
    return canon


def _scan_ref(accumulate):
    def ref(x, *, axis, reverse):
        t = dtypes.from_numpy(x.dtype)
        a = x.astype(accumulator(t))
        if reverse:
            a = np.flip(a, axis)
        with np.errstate(all="ignore"):
            r = accumulate(a, axis=axis)
        if reverse:
            r = np.flip(r, axis)
        return convert(np.asarray(r), t)
    return ref


def _samples(dt):
    T = TensorType
    return [([T(dt, (5,))], {}),
            ([T(dt, (2, 3), ("rows", "cols"))], {"axis": 1}),
            ([T(dt, (3, 2, 2))], {"axis": 0, "reverse": True}),
            ([T(dt, (2, 4))], {"axis": -1, "reverse": True}),
            ([T(dt, (0, 2))], {"axis": 0})]


def _product_samples(dt):
    # Short scans: f16 products of several factors overflow.
    T = TensorType
    return [([T(dt, (3,))], {}),
            ([T(dt, (2, 3), ("rows", "cols"))], {"axis": 1, "reverse": True}),
            ([T(dt, (0, 2))], {"axis": 0})]


_ATTRS = {"axis": 0, "reverse": False}


_SCANS = {
    "cumulative_sum": (np.cumsum, dtypes.ALL, _samples,
                       "Running sums along `axis` (reverse: from the end); integers wrap."),
    "cumulative_product": (np.cumprod, dtypes.ALL, _product_samples,
                           "Running products along `axis` (reverse: from the end); "
                           "integers wrap."),
    "cumulative_min": (np.minimum.accumulate, dtypes.REAL, _samples,
                       "Running minima along `axis` (reverse: from the end); NaN propagates."),
    "cumulative_max": (np.maximum.accumulate, dtypes.REAL, _samples,
                       "Running maxima along `axis` (reverse: from the end); NaN propagates."),
}


def _define(name, accumulate, accepts, samples, doc):
    def infer(x, *, axis, reverse):
        return x
    infer.__doc__ = doc
    register(name, ref=_scan_ref(accumulate), attrs=_ATTRS, accepts=accepts,
             canon=_canon(name), samples=samples)(infer)


for _name, _spec in _SCANS.items():
    _define(_name, *_spec)
