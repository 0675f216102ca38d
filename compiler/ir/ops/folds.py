"""Reductions with a user function: reduce and window_reduce.

Both take the tensor and a scalar accumulator `acc` as operands and one region,
the reducer: it takes (element, acc), two scalars of the result type, and
yields the next accumulator, a scalar of the same type. The result type is
the tensor's and acc's promoted, as in Nx; the frontend (nxc/folds.py)
converts the operands to it. Elements are folded in row-major order, starting
from acc, once per result element: `acc = reducer(element, acc)`.

reduce takes `axes`/`keep_axes` like sum. window_reduce takes the window
options of compiler/ir/ops/windows.py; its padding holds acc, as in Nx.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import DTypeError, ShapeError

from .. import dtypes
from ..registry import REQUIRED, register
from ..types import TensorType
from .control import _check_regions, _same_types
from .reductions import _canon_axes, reduced
from .windows import canon_window, window_shape, windows


def _check(op, x, acc, regions):
    _check_regions(op, regions, ("reducer",))
    if acc.rank != 0:
        raise ShapeError(f"{op}: the accumulator must be a scalar, got {acc}")
    if acc.dtype != x.dtype:
        raise DTypeError(f"{op}: the accumulator {acc} must have the tensor's type {x.dtype}")
    scalar = TensorType(x.dtype, ())
    ((args, results),) = regions
    _same_types(op, [scalar, scalar], args, "(element, acc)", "the reducer's arguments")
    _same_types(op, [scalar], results, "the accumulator", "the reducer's result")


def _fold(values, acc, reducer):
    for v in values:
        (acc,) = reducer(np.asarray(v), acc)
    return acc


def _reduce_ref(x, acc, *, axes, keep_axes, regions):
    (reducer,) = regions
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, rest + list(axes))
    out_shape = tuple(x.shape[i] for i in rest)
    rows = moved.reshape(out_shape + (-1,))
    out = np.empty(out_shape, dtype=x.dtype)
    for idx in np.ndindex(out_shape):
        out[idx] = _fold(rows[idx], acc, reducer)
    if keep_axes:
        out = out.reshape(tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return out


@register("reduce", ref=_reduce_ref, attrs={"axes": None, "keep_axes": False}, arity=2,
          regions=1, canon=lambda types, attrs: _canon_axes("reduce")(types[:1], attrs))
def reduce(x, acc, *, axes, keep_axes, regions):
    """Folds the elements over `axes` (all by default) with the reducer region,
    starting from the scalar `acc`: acc = reducer(element, acc), row-major."""
    _check("reduce", x, acc, regions)
    return reduced(x, axes, keep_axes, x.dtype)


def _window_reduce_ref(x, acc, *, window_dimensions, strides, padding, window_dilations,
                       regions):
    (reducer,) = regions
    shape = window_shape("window_reduce", TensorType(dtypes.from_numpy(x.dtype), x.shape),
                         window_dimensions, strides, padding, window_dilations)
    views = [v for _, v in windows(x, window_dimensions, strides, padding, window_dilations,
                                   acc, shape)]
    out = np.empty(shape, dtype=x.dtype)
    for idx in np.ndindex(shape):
        out[idx] = _fold([v[idx] for v in views], acc, reducer)
    return out


def _canon_window(types, attrs):
    return canon_window("window_reduce", types[0], attrs)


@register("window_reduce", ref=_window_reduce_ref,
          attrs={"window_dimensions": REQUIRED, "strides": 1, "padding": "valid",
                 "window_dilations": 1},
          arity=2, regions=1, canon=_canon_window)
def window_reduce(x, acc, *, window_dimensions, strides, padding, window_dilations, regions):
    """Folds each window (row-major; padding holds acc) with the reducer region,
    starting from the scalar `acc`."""
    _check("window_reduce", x, acc, regions)
    shape = window_shape("window_reduce", x, window_dimensions, strides, padding,
                         window_dilations)
    return TensorType(x.dtype, shape, x.names)
