"""Sorting: sort and argsort (nx.top_k is a composite of them, in nxc/sorting.py).

Every sort is stable (Nx's `stable` option is accepted; nxc always keeps equal
elements in their original order, in both directions) and orders NaN above
every number, +inf included: last in ascending order, first in descending
order, as Nx does. Complex tensors are rejected, as in Nx. Axes take ints,
negative ints or names; names and shapes are kept.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, DTypeError, ShapeError

from .. import dtypes
from ..registry import register
from ..types import TensorType, axis_index
from .reductions import _check_bool, accumulator


def _check_direction(op, direction):
    if direction not in ("asc", "desc"):
        raise ArgumentError(f"{op} option direction must be 'asc' or 'desc', got {direction!r}")
    return direction


def _canon_sort(op):
    def canon(types, attrs):
        (x,) = types
        if x.rank == 0:
            raise ShapeError(f"{op} of the scalar {x}: there is no axis to sort along")
        out = dict(attrs)
        out["axis"] = axis_index(x, attrs["axis"])
        out["direction"] = _check_direction(op, attrs["direction"])
        out["stable"] = _check_bool(op, "stable", attrs["stable"])
        if "type" in attrs:
            t = dtypes.parse(attrs["type"])
            if not t.is_int:
                raise DTypeError(f"{op} option type must be an integer type, got {t}")
            out["type"] = t
        return out
    return canon


def order(x: np.ndarray, axis: int, direction: str) -> np.ndarray:
    """The stable sorting permutation of `x` along `axis` (int64), NaN highest."""
    a = np.moveaxis(x.astype(accumulator(dtypes.from_numpy(x.dtype))), axis, -1)
    rows = a.reshape(-1, a.shape[-1]) if a.size else a.reshape(0, a.shape[-1])
    out = np.empty(rows.shape, dtype=np.int64)
    for r, row in enumerate(rows):
        # Dense ranks: equal values (and all NaNs, ranked last) share one rank.
        _, rank = np.unique(row, return_inverse=True, equal_nan=True)
        rank = rank.reshape(-1).astype(np.int64)
        out[r] = np.argsort(rank if direction == "asc" else -rank, kind="stable")
    return np.moveaxis(out.reshape(a.shape), -1, axis)


def _sort_ref(x, *, axis, direction, stable):
    return np.take_along_axis(x, order(x, axis, direction), axis=axis)


def _argsort_ref(x, *, axis, direction, stable, type):
    return order(x, axis, direction).astype(type.numpy)


def _sort_samples(dt):
    T = TensorType
    return [([T(dt, (6,))], {}),
            ([T(dt, (3, 4), ("rows", None))], {"axis": 1, "direction": "desc"}),
            ([T(dt, (4, 2, 3))], {"axis": 0}),
            ([T(dt, (2, 5))], {"axis": -1, "direction": "asc", "stable": True}),
            ([T(dt, (0, 3))], {"axis": 0})]


_SORT = {"axis": 0, "direction": "asc", "stable": False}


@register("sort", ref=_sort_ref, attrs=_SORT, accepts=dtypes.REAL, canon=_canon_sort("sort"),
          samples=_sort_samples)
def sort(x, *, axis, direction, stable):
    """`x` sorted along `axis` ("asc" or "desc"); stable; NaN sorts highest."""
    return x


@register("argsort", ref=_argsort_ref, attrs={**_SORT, "type": dtypes.INDEX},
          accepts=dtypes.REAL, canon=_canon_sort("argsort"), samples=_sort_samples)
def argsort(x, *, axis, direction, stable, type):
    """The indices (s32, or `type`) that sort `x` along `axis`; stable; NaN sorts highest."""
    return x.with_dtype(type)
