"""Oracles for sort, argsort and the composite top_k: Python's own stable `sorted` on each row."""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py


def _key(direction):
    """Sort key: NaN above every number; descending negates the numbers."""
    def key(item):
        _, v = item
        nan = isinstance(v, float) and math.isnan(v)
        if direction == "asc":
            return (1, 0) if nan else (0, v)
        return (0, 0) if nan else (1, -v)
    return key


def _orders(x, axis, direction):
    """Per row along `axis`: the source indices in sorted order (an object array)."""
    p = np.moveaxis(py(x), axis, -1)
    out = np.empty(p.shape, dtype=object)
    for idx in np.ndindex(p.shape[:-1]):
        row = list(enumerate(p[idx]))
        out[idx] = [i for i, _ in sorted(row, key=_key(direction))] if row else []
    return np.moveaxis(out, -1, axis), np.moveaxis(p, -1, axis)


def _gather(values, order, axis):
    v, o = np.moveaxis(values, axis, -1), np.moveaxis(order, axis, -1)
    out = np.empty(o.shape, dtype=object)
    for idx in np.ndindex(o.shape):
        out[idx] = v[idx[:-1] + (o[idx],)]
    return np.moveaxis(out, -1, axis)


def _values(a, dt):
    return a.astype(np.float64) if dt.is_inexact else a


def _sort(x, *, axis, direction, stable):
    order, p = _orders(x, axis, direction)
    return _values(_gather(p, order, axis), T.from_numpy(x.dtype))


def _argsort(x, *, axis, direction, stable, type):
    order, _ = _orders(x, axis, direction)
    return order


def _top_k(x, k=1):
    order, p = _orders(x, x.ndim - 1, "desc")
    order = order[..., :k]
    return _values(_gather(p, order, x.ndim - 1), T.from_numpy(x.dtype)), order


ORACLES = {"sort": _sort, "argsort": _argsort}

COMPOSITE_ORACLES = {"top_k": _top_k}
