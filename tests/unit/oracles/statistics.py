"""Oracles for the statistics composites, in numpy float64 (or by hand where
numpy has no equivalent: mode's tie rule, all_close's infinities)."""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T


def _float_type(x):
    return T.to_float(T.from_numpy(np.asarray(x).dtype))


def _axes(x, axes):
    return tuple(range(np.ndim(x))) if axes is None else tuple(axes)


def _logsumexp(x, axes=None, keep_axes=False):
    a = np.asarray(x, np.float64)
    m = np.max(a, axis=_axes(a, axes), keepdims=True) if a.size else np.zeros(())
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=_axes(a, axes), keepdims=True)) + m
    return out if keep_axes else np.squeeze(out, axis=_axes(a, axes))


def _variance(x, axes=None, keep_axes=False, ddof=0):
    return np.var(np.asarray(x, np.float64), axis=_axes(x, axes), keepdims=keep_axes, ddof=ddof)


def _standard_deviation(x, axes=None, keep_axes=False, ddof=0):
    return np.sqrt(_variance(x, axes, keep_axes, ddof))


def _covariance(x, mean=None, ddof=0):
    a = np.asarray(x, np.float64)
    m = a.mean(axis=-2) if mean is None else np.asarray(mean, np.float64)
    a = a - m[..., None, :]
    return np.einsum("...ni,...nj->...ij", a, a) / (a.shape[-2] - ddof)


def _weighted_mean(x, w, axes=None, keep_axes=False):
    a, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    if w.shape != a.shape:
        # Nx lays weights along the reduced axes: leading 1s, then its last axis
        # swapped with the first reduced axis.
        w = w.reshape((1,) * (a.ndim - w.ndim) + w.shape)
        w = np.swapaxes(w, axes[0], -1)
    w = np.broadcast_to(w, a.shape)
    return (np.sum(a * w, axis=_axes(a, axes), keepdims=keep_axes)
            / np.sum(w, axis=_axes(a, axes), keepdims=keep_axes))


def _along(x, axis):
    return (np.reshape(x, (-1,)), 0) if axis is None else (np.asarray(x), axis % np.ndim(x))


def _median(x, axis=None, keep_axis=False):
    a, ax = _along(x, axis)
    n = a.shape[ax]
    s = np.sort(a.astype(np.float64), axis=ax)  # NaN sorts last, as in Nx
    if n % 2:
        out = np.take(s, [n // 2], axis=ax)
        out = out.astype(object) if a.dtype.kind in "iu" else out
    else:
        out = np.take(s, [n // 2 - 1, n // 2], axis=ax).mean(axis=ax, keepdims=True)
    return out if keep_axis and axis is not None else np.squeeze(out, axis=ax)


def _mode(x, axis=None, keep_axis=False):
    a, ax = _along(x, axis)
    moved = np.moveaxis(a, ax, -1)
    out = np.empty(moved.shape[:-1] + (1,), dtype=object)
    for idx in np.ndindex(moved.shape[:-1]):
        row = [v for v in moved[idx].tolist()]
        counts = {}
        for v in row:
            if not (isinstance(v, float) and math.isnan(v)):
                counts[v] = counts.get(v, 0) + 1
        if counts:
            top = max(counts.values())
            out[idx + (0,)] = min(v for v, c in counts.items() if c == top)
        else:  # only NaNs: each counts 0 times; the first sorted one is taken
            out[idx + (0,)] = math.nan
    out = np.moveaxis(out, -1, ax)
    out = out if a.dtype.kind in "iu" else out.astype(np.float64)
    if keep_axis:
        return out if axis is not None else out.reshape((1,) * np.ndim(x))
    return np.squeeze(out, axis=ax)


def _all_close(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    ok = True
    for x, y in zip(a.ravel().tolist(), b.ravel().tolist()):
        if math.isnan(x) or math.isnan(y):
            ok &= equal_nan and math.isnan(x) and math.isnan(y)
        elif math.isinf(x) or math.isinf(y):
            ok &= x == y
        else:
            ok &= abs(x - y) <= atol + rtol * abs(y)
    return np.uint8(ok)


COMPOSITE_ORACLES = {
    "logsumexp": _logsumexp,
    "variance": _variance,
    "standard_deviation": _standard_deviation,
    "covariance": _covariance,
    "weighted_mean": _weighted_mean,
    "median": _median,
    "mode": _mode,
    "all_close": _all_close,
}
