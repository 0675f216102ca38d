"""Oracles for the window ops: each window's elements gathered one by one (an
element that falls in the padding is the reduction's identity), on Python numbers."""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py, wrap


def _nan(v):
    return isinstance(v, float) and math.isnan(v)


def _out_shape(shape, window, strides, padding, dilations):
    out = []
    for n, w, s, (lo, hi), d in zip(shape, window, strides, padding, dilations):
        span = n + lo + hi - ((w - 1) * d + 1)
        out.append(span // s + 1 if span >= 0 else 0)
    return tuple(out)


def _window(p, o, window, strides, padding, dilations):
    """[(flat index or None for padding, value)] of the window at output position `o`."""
    out = []
    for k in np.ndindex(tuple(window)):
        src = tuple(oi * s + ki * d - lo for oi, ki, s, d, (lo, _) in
                    zip(o, k, strides, dilations, padding))
        if all(0 <= i < n for i, n in zip(src, p.shape)):
            out.append((int(np.ravel_multi_index(src, p.shape)), p[src]))
        else:
            out.append((None, None))
    return out


def _finish(out, dt):
    if dt.is_int:
        return np.vectorize(lambda v: wrap(v, dt), otypes=[object])(out) if out.size else out
    return out.astype(np.complex128 if dt.is_complex else np.float64)


def _reduce(combine, identity):
    def oracle(x, *, window_dimensions, strides, padding, window_dilations):
        dt = T.from_numpy(x.dtype)
        p = py(x)
        shape = _out_shape(p.shape, window_dimensions, strides, padding, window_dilations)
        out = np.empty(shape, dtype=object)
        for o in np.ndindex(shape):
            acc = identity(dt)
            for _, v in _window(p, o, window_dimensions, strides, padding, window_dilations):
                acc = combine(acc, identity(dt) if v is None else v)
            out[o] = acc
        return _finish(out, dt)
    return oracle


def _max(a, b):
    return a if _nan(a) else b if _nan(b) else max(a, b)


def _min(a, b):
    return a if _nan(a) else b if _nan(b) else min(a, b)


def _low(dt):
    return -math.inf if dt.is_float else dt.min_value()


def _high(dt):
    return math.inf if dt.is_float else dt.max_value()


def _scatter(better):
    def oracle(x, source, init, *, window_dimensions, strides, padding, window_dilations):
        dt = T.promote(T.from_numpy(source.dtype), T.from_numpy(init.dtype))
        p, src = py(x), py(source)
        init_v = py(init)[()]
        out = [init_v] * p.size
        for o in np.ndindex(src.shape):
            best = None
            for i, v in _window(p, o, window_dimensions, strides, padding, window_dilations):
                if i is None:
                    continue
                if best is None or (not _nan(best[1]) and (_nan(v) or better(v, best[1]))):
                    best = (i, v)
            if best is not None:
                s = src[o]
                if dt.is_int:
                    s = wrap(s, dt)
                out[best[0]] = out[best[0]] + s
        return _finish(np.array(out, dtype=object).reshape(p.shape), dt)
    return oracle


ORACLES = {
    "window_sum": _reduce(lambda a, b: a + b, lambda dt: 0),
    "window_product": _reduce(lambda a, b: a * b, lambda dt: 1),
    "window_max": _reduce(_max, _low),
    "window_min": _reduce(_min, _high),
    "window_scatter_max": _scatter(lambda v, b: v > b),
    "window_scatter_min": _scatter(lambda v, b: v < b),
}


def _window_mean(x, window_dimensions, strides=1, padding="valid", window_dilations=1):
    rank = np.ndim(x)
    strides = (strides,) * rank if isinstance(strides, int) else strides
    dilations = (window_dilations,) * rank if isinstance(window_dilations, int) \
        else window_dilations
    if padding == "valid":
        padding = ((0, 0),) * rank
    total = ORACLES["window_sum"](np.asarray(x).astype(np.complex128 if np.iscomplexobj(x)
                                                        else np.float64),
                                  window_dimensions=window_dimensions, strides=strides,
                                  padding=padding, window_dilations=dilations)
    return total / math.prod(window_dimensions)


COMPOSITE_ORACLES = {"window_mean": _window_mean}
