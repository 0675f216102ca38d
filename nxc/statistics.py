"""Statistics composites: logsumexp, variance, standard_deviation, covariance,
weighted_mean, median, mode, all_close. Each is a short composition of nx
functions (nxc/composite.py), following Nx's definitions; types follow from
the ops used (integers give f32 where a division or exp is involved).
"""
from __future__ import annotations

import math

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import Dim, TensorType, axes_indices, axis_index
from nxc.runtime.errors import ArgumentError, ShapeError

from . import api
from ._types import type_of
from .autodiff import stop_grad
from .composite import composite
from .sorting import sort

__all__ = ["logsumexp", "variance", "standard_deviation", "covariance", "weighted_mean",
           "median", "mode", "all_close"]

T = TensorType


def _axes_samples(dt):
    return [((T(dt, (3, 4)),), {"axes": (1,)}),
            ((T(dt, (2, 3)),), {}),
            ((T(dt, (2, 3, 2)),), {"axes": (0, 2), "keep_axes": True})]


def _count(t: TensorType, axes, what):
    dims = [t.shape[a] for a in axes]
    if any(isinstance(d, Dim) for d in dims):
        raise ShapeError(f"{what} needs static sizes on the reduced axes of {t}")
    return math.prod(dims)


def _axes(t, axes):
    return tuple(range(t.rank)) if axes is None else axes_indices(t, axes)


@composite(accepts=dtypes.FLOAT, samples=_axes_samples)
def logsumexp(tensor, axes=None, keep_axes=False):
    """log(sum(exp(tensor))) over `axes`, computed stably: shifted by the maximum
    (a non-finite maximum shifts by 0, so -inf rows give -inf)."""
    m = stop_grad(api.reduce_max(tensor, axes=axes, keep_axes=True))
    finite = api.logical_and(api.equal(m, m), api.less(api.abs(m), math.inf))
    m = api.select(finite, m, 0)
    s = api.log(api.sum(api.exp(api.subtract(tensor, m)), axes=axes, keep_axes=True))
    out = api.add(s, m)
    if keep_axes:
        return out
    return api.squeeze(out, axes=_axes(type_of(tensor), axes))


def _variance_samples(dt):
    return [((T(dt, (3, 4)),), {"axes": (1,)}),
            ((T(dt, (2, 3)),), {"ddof": 1}),
            ((T(dt, (2, 3, 2)),), {"axes": (0, 2), "keep_axes": True})]


@composite(accepts=dtypes.REAL, samples=_variance_samples)
def variance(tensor, axes=None, keep_axes=False, ddof=0):
    """The mean squared deviation from the mean over `axes`, divided by n - ddof
    instead of n when `ddof` is given; floating (integers give f32)."""
    t = type_of(tensor)
    centered = api.subtract(tensor, api.mean(tensor, axes=axes, keep_axes=True))
    squares = api.multiply(centered, centered)
    if ddof == 0:
        return api.mean(squares, axes=axes, keep_axes=keep_axes)
    n = _count(t, _axes(t, axes), "variance with ddof")
    return api.divide(api.sum(squares, axes=axes, keep_axes=keep_axes), n - ddof)


@composite(accepts=dtypes.REAL, samples=_variance_samples)
def standard_deviation(tensor, axes=None, keep_axes=False, ddof=0):
    """The square root of the variance (see variance)."""
    return api.sqrt(variance(tensor, axes=axes, keep_axes=keep_axes, ddof=ddof))


def _covariance_samples(dt):
    # With an integer mean, tensor - mean wraps in the integer type, as in Nx.
    given_mean = [((T(dt, (3, 2)), T(dt, (2,))), {})] if dt.is_float else []
    return [((T(dt, (4, 3)),), {}), ((T(dt, (2, 5, 2)),), {"ddof": 1}), *given_mean]


@composite(accepts=dtypes.REAL, samples=_covariance_samples)
def covariance(tensor, mean=None, ddof=0):
    """The covariance matrix of the columns of `tensor` (..., n, d) -> (..., d, d):
    the deviations from `mean` (..., d) (by default the columns' means)
    multiplied pairwise, summed over the n rows and divided by n - ddof; the
    leading axes are batch axes; floating; no names."""
    t = type_of(tensor)
    if t.rank < 2:
        raise ShapeError(f"covariance needs a tensor of rank 2 or more (..., n, d), got {t}")
    if not isinstance(ddof, int) or isinstance(ddof, bool) or ddof < 0:
        raise ArgumentError(f"covariance option ddof must be an int >= 0, got {ddof!r}")
    if mean is None:
        mean = api.mean(tensor, axes=(-2,))
    x = api.subtract(tensor, api.new_axis(mean, -2))
    x = api.reshape(x, type_of(x).shape)  # no names: the result pairs the column axis
    batch = tuple(range(t.rank - 2))
    prod = api.dot(x, (t.rank - 2,), batch, x, (t.rank - 2,), batch)
    return api.divide(prod, _count(t, (t.rank - 2,), "covariance") - ddof)


def _weighted_samples(dt):
    return [((T(dt, (3, 4)), T(dt, (3, 4))), {"axes": (1,)}),
            ((T(dt, (2, 3)), T(dt, (3,))), {"axes": (1,)}),
            ((T(dt, (2, 4, 4, 1)), T(dt, (4, 4))), {"axes": (1, 2)}),
            ((T(dt, (2, 3)), T(dt, (2, 3))), {"axes": (0,), "keep_axes": True}),
            ((T(dt, (2, 3)), T(dt, (2, 3))), {})]


@composite(accepts=dtypes.REAL, samples=_weighted_samples)
def weighted_mean(tensor, weights, axes=None, keep_axes=False):
    """sum(tensor * weights) / sum(weights) over `axes` (all by default); floating.

    weights has tensor's shape, or, with `axes`, one axis per reduced axis; then,
    as in Nx, it is reshaped to tensor's rank (leading 1s) and its last axis is
    swapped with the first reduced axis."""
    t, w = type_of(tensor), type_of(weights)
    # Axes as ints: the names are tensor's, which weights need not have.
    axes = None if axes is None else axes_indices(t, axes)
    if t.shape != w.shape:
        if axes is None:
            raise ArgumentError(f"weighted_mean needs axes when the shapes of tensor ({t}) "
                                f"and weights ({w}) differ")
        ax = axes
        if w.rank != len(ax):
            raise ShapeError(f"weighted_mean: weights ({w}) must have one axis per reduced "
                             f"axis ({len(ax)}) when its shape differs from tensor's ({t})")
        weights = api.reshape(weights, (1,) * (t.rank - w.rank) + tuple(w.shape))
        perm = list(range(t.rank))
        perm[ax[0]], perm[-1] = perm[-1], perm[ax[0]]
        weights = api.transpose(weights, axes=tuple(perm))
    total = api.sum(api.multiply(tensor, weights), axes=axes, keep_axes=keep_axes)
    return api.divide(total, api.sum(weights, axes=axes, keep_axes=keep_axes))


def _median_samples(dt):
    return [((T(dt, (5,)),), {}),
            ((T(dt, (2, 4)),), {"axis": 1}),
            ((T(dt, (3, 3)),), {"axis": 0, "keep_axis": True}),
            ((T(dt, (2, 3)),), {})]


def _along(tensor, axis, keep_axis):
    """(tensor, axis): the flattened tensor and 0 when axis is None."""
    t = type_of(tensor)
    if axis is None:
        return api.reshape(tensor, (-1,) if t.is_static else (t.size,)), 0
    if t.rank == 0:
        raise ShapeError(f"an axis was given for the scalar {t}")
    return tensor, axis_index(t, axis)


def _at(x, axis, start, length):
    t = type_of(x)
    starts = tuple(start if i == axis else 0 for i in range(t.rank))
    lengths = tuple(length if i == axis else d for i, d in enumerate(t.shape))
    return api.slice(x, starts, lengths)


@composite(accepts=dtypes.REAL, samples=_median_samples)
def median(tensor, axis=None, keep_axis=False):
    """The middle element along `axis` (of all elements when None) after sorting;
    with an even count, the mean of the two middle ones (floating)."""
    x, ax = _along(tensor, axis, keep_axis)
    n = type_of(x).shape[ax]
    if not isinstance(n, int) or n == 0:
        raise ShapeError(f"median needs a static, non-empty axis, got {type_of(x)}")
    s = sort(x, axis=ax)
    if n % 2:
        mid = _at(s, ax, n // 2, 1)
    else:
        mid = api.mean(_at(s, ax, n // 2 - 1, 2), axes=(ax,), keep_axes=True)
    return mid if (keep_axis and axis is not None) else api.squeeze(mid, axes=(ax,))


@composite(accepts=dtypes.REAL, samples=_median_samples, differentiable=False)
def mode(tensor, axis=None, keep_axis=False):
    """The most frequent element along `axis` (of all elements when None); among
    equally frequent ones, the smallest."""
    x, ax = _along(tensor, axis, keep_axis)
    xt = type_of(x)
    n = xt.shape[ax]
    if not isinstance(n, int) or n == 0:
        raise ShapeError(f"mode needs a static, non-empty axis, got {xt}")
    s = sort(x, axis=ax)
    # counts[i] = how many sorted elements equal element i (NaN equals nothing).
    pairs = api.equal(api.new_axis(s, ax + 1), api.new_axis(s, ax))
    counts = api.sum(pairs, axes=(ax,))
    best = api.argmax(counts, axis=ax, keep_axis=True)
    shape = tuple(n if i == ax else 1 for i in range(xt.rank))
    hit = api.equal(api.iota(shape, axis=ax), best)
    picked = api.sum(api.select(hit, s, 0), axes=(ax,), keep_axes=True)
    out = api.as_type(picked, xt.dtype)
    if keep_axis:  # Nx keeps every axis, with size 1, when axis is None
        rank = type_of(tensor).rank
        return out if axis is not None else api.reshape(out, (1,) * rank)
    return api.squeeze(out, axes=(ax,))


def _close_samples(dt):
    return [((T(dt, (3,)), T(dt, (3,))), {}),
            ((T(dt, (2, 3)), T(dt, (2, 3))), {"rtol": 1e-3, "atol": 1e-2, "equal_nan": True}),
            ((T(dt, (2, 3)), T(dt, (3,))), {})]


@composite(accepts=dtypes.REAL, samples=_close_samples, differentiable=False)
def all_close(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    """1 (u8) when every |a - b| <= atol + rtol * |b| (broadcast); equal infinities
    are close; NaNs are close to each other only with equal_nan."""
    ints = type_of(a).dtype.is_int and type_of(b).dtype.is_int
    # abs of an integer b in f64: abs(-128) does not fit s8 (Nx does the same).
    abs_b = api.abs(api.as_type(b, dtypes.f64) if ints else b)
    close = api.less_equal(api.abs(api.subtract(a, b)),
                           api.add(atol, api.multiply(rtol, abs_b)))
    if ints:
        return api.all(close)
    infinite = api.logical_or(api.equal(api.abs(a), math.inf), api.equal(api.abs(b), math.inf))
    close = api.select(infinite, api.equal(a, b), close)
    if equal_nan:
        close = api.logical_or(close, api.logical_and(api.not_equal(a, a), api.not_equal(b, b)))
    return api.all(close)
