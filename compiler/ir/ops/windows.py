"""Window reductions: window_sum, window_product, window_max, window_min, and
window_scatter_max, window_scatter_min (the gradient of window_max/min).

Options follow Nx: `window_dimensions` (one size per axis), `strides` (an int
or one per axis, default 1), `padding` ("valid", "same", or one (low, high)
pair of non-negative ints per axis) and `window_dilations` (an int or one per
axis, default 1). Canonical attributes are tuples with `padding` resolved to
pairs. "same" pads so that the output has ceil(size / stride) elements, the
padding split evenly with the extra element at the end, counting the dilated
window ((w - 1) * dilation + 1).

Output axis sizes are floor((size + low + high - dilated window) / stride) + 1.
Padding holds the reduction's identity (0, 1, the type's min or max, -inf or
+inf), so windows that lie in the padding give it. The result keeps the
operand's type and names; integers wrap, f16/bf16 accumulate in f32.

An axis with a symbolic size must have window 1, stride 1, dilation 1 and no
padding (the case batching creates); other windows need static sizes.
"""
from __future__ import annotations

import itertools

import numpy as np

from nxc.runtime.errors import ArgumentError, ShapeError

from .. import dtypes
from ..registry import REQUIRED, register
from ..types import Dim, TensorType
from .cast import convert
from .reductions import accumulator


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------

def _ints(op, name, value, rank, minimum, allow_int=True):
    if allow_int and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value),) * rank
    if not isinstance(value, (tuple, list)) or len(value) != rank or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        raise ArgumentError(f"{op} option {name} must be {'an int or ' if allow_int else ''}"
                            f"{rank} int(s), one per axis, got {value!r}")
    if any(v < minimum for v in value):
        raise ArgumentError(f"{op} option {name} must hold ints >= {minimum}, got {value!r}")
    return tuple(int(v) for v in value)


def dilated(w, d):
    return (w - 1) * d + 1


def _padding(op, x: TensorType, padding, window, strides, dilations):
    if padding == "valid":
        return ((0, 0),) * x.rank
    if padding == "same":
        out = []
        for n, w, s, d in zip(x.shape, window, strides, dilations):
            if isinstance(n, Dim):
                out.append((0, 0) if (w, s, d) == (1, 1, 1) else None)
                continue
            total = max((-(-n // s) - 1) * s + dilated(w, d) - n, 0)
            out.append((total // 2, total - total // 2))
        if None in out:
            raise ShapeError(f"{op} with padding 'same' needs static sizes on the windowed axes "
                             f"of {x}")
        return tuple(out)
    if isinstance(padding, (tuple, list)) and len(padding) == x.rank:
        pairs = []
        for p in padding:
            if not isinstance(p, (tuple, list)) or len(p) != 2:
                break
            pairs.append(_ints(op, "padding", p, 2, 0, allow_int=False))
        else:
            return tuple(pairs)
    raise ArgumentError(f"{op} option padding must be 'valid', 'same' or {x.rank} (low, high) "
                        f"pairs of ints >= 0, got {padding!r}")


def canon_window(op, x: TensorType, attrs):
    """Canonical window options of `op` on operand type `x`."""
    window = attrs["window_dimensions"]
    if not isinstance(window, (tuple, list)):
        raise ArgumentError(f"{op} option window_dimensions must be a tuple of {x.rank} int(s), "
                            f"got {window!r}")
    window = _ints(op, "window_dimensions", window, x.rank, 1, allow_int=False)
    strides = _ints(op, "strides", attrs["strides"], x.rank, 1)
    dil = _ints(op, "window_dilations", attrs["window_dilations"], x.rank, 1)
    return {"window_dimensions": window, "strides": strides,
            "padding": _padding(op, x, attrs["padding"], window, strides, dil),
            "window_dilations": dil}


def window_shape(op, x: TensorType, window, strides, padding, dilations):
    shape = []
    for i, (n, w, s, (lo, hi), d) in enumerate(zip(x.shape, window, strides, padding, dilations)):
        if isinstance(n, Dim):
            if (w, s, lo, hi, d) != (1, 1, 0, 0, 1):
                raise ShapeError(f"{op} on axis {i} of {x} needs a static size: only a window "
                                 f"of 1 with stride 1 and no padding fits a symbolic axis")
            shape.append(n)
            continue
        span = n + lo + hi - dilated(w, d)
        shape.append(span // s + 1 if span >= 0 else 0)
    return tuple(shape)


# ---------------------------------------------------------------------------
# window_sum, window_product, window_max, window_min
# ---------------------------------------------------------------------------

def windows(a: np.ndarray, window, strides, padding, dilations, fill, out_shape):
    """Yields (window offset, strided view of the padded `a`) for each offset in the window."""
    padded = np.pad(a, padding, constant_values=fill)
    for k in itertools.product(*(range(w) for w in window)):
        index = tuple(slice(ki * d, ki * d + (n - 1) * s + 1 if n else 0, s)
                      for ki, d, s, n in zip(k, dilations, strides, out_shape))
        yield k, padded[index]


def _window_ref(combine, identity):
    def ref(x, *, window_dimensions, strides, padding, window_dilations):
        t = dtypes.from_numpy(x.dtype)
        acc = accumulator(t)
        fill = acc.type(identity(t))
        out_shape = window_shape("", TensorType(t, x.shape), window_dimensions, strides,
                                 padding, window_dilations)
        r = np.full(out_shape, fill, dtype=acc)
        with np.errstate(all="ignore"):
            for _, view in windows(x.astype(acc), window_dimensions, strides, padding,
                                   window_dilations, fill, out_shape):
                r = combine(r, view)
        return convert(np.asarray(r, dtype=acc), t)
    return ref


def _canon(op):
    def canon(types, attrs):
        (x,) = types
        return canon_window(op, x, attrs)
    return canon


def _window_samples(dt):
    T = TensorType
    return [([T(dt, (5,))], {"window_dimensions": (2,)}),
            ([T(dt, (3, 4), ("rows", None))], {"window_dimensions": (2, 2), "strides": (1, 2)}),
            ([T(dt, (4, 3))], {"window_dimensions": (2, 3), "padding": "same"}),
            ([T(dt, (2, 5))], {"window_dimensions": (1, 2), "padding": ((0, 0), (2, 1)),
                               "window_dilations": (1, 2), "strides": 2}),
            ([T(dt, (3, 0))], {"window_dimensions": (2, 1)})]


def _product_samples(dt):
    T = TensorType
    return [([T(dt, (5,))], {"window_dimensions": (2,)}),
            ([T(dt, (3, 4))], {"window_dimensions": (1, 2), "padding": "same", "strides": 2}),
            ([T(dt, (2, 3))], {"window_dimensions": (2, 1), "padding": ((1, 0), (0, 1)),
                               "window_dilations": (1, 1)})]


WINDOW_ATTRS = {"window_dimensions": REQUIRED, "strides": 1, "padding": "valid",
                "window_dilations": 1}


def _lowest(t):
    return -np.inf if t.is_inexact else t.min_value()


def _highest(t):
    return np.inf if t.is_inexact else t.max_value()


_WINDOWS = {
    # name: (combine, identity, accepts, samples, doc)
    "window_sum": (np.add, lambda t: 0, dtypes.ALL, _window_samples,
                   "The sum of each window; padding adds 0; integers wrap in their type."),
    "window_product": (np.multiply, lambda t: 1, dtypes.ALL, _product_samples,
                       "The product of each window; padding multiplies by 1."),
    "window_max": (np.maximum, _lowest, dtypes.REAL, _window_samples,
                   "The maximum of each window (NaN wins); padding is -inf or the type's min."),
    "window_min": (np.minimum, _highest, dtypes.REAL, _window_samples,
                   "The minimum of each window (NaN wins); padding is +inf or the type's max."),
}


def _define(name, combine, identity, accepts, samples, doc):
    def infer(x, *, window_dimensions, strides, padding, window_dilations):
        shape = window_shape(name, x, window_dimensions, strides, padding, window_dilations)
        return TensorType(x.dtype, shape, x.names)
    infer.__doc__ = doc
    register(name, ref=_window_ref(combine, identity), attrs=WINDOW_ATTRS, accepts=accepts,
             canon=_canon(name), samples=samples)(infer)


for _name, _spec in _WINDOWS.items():
    _define(_name, *_spec)


# ---------------------------------------------------------------------------
# window_scatter_max, window_scatter_min
# ---------------------------------------------------------------------------

def _canon_scatter(op):
    def canon(types, attrs):
        x, source, init = types
        if init.rank != 0:
            raise ShapeError(f"{op} init_value must be a scalar, got {init}")
        out = canon_window(op, x, attrs)
        want = window_shape(op, x, out["window_dimensions"], out["strides"], out["padding"],
                            out["window_dilations"])
        if tuple(source.shape) != want:
            raise ShapeError(f"{op}: source must have the shape of the windows of {x}, "
                             f"{TensorType(source.dtype, want)}, got {source}")
        return out
    return canon


def scatter_positions(x, window, strides, padding, dilations, pick_max):
    """For each window (source position): the flat index into `x` of the element it
    selects (the first maximum or minimum; NaN wins), or -1 for a window in padding only."""
    t = dtypes.from_numpy(x.dtype)
    acc = accumulator(t)
    shape = window_shape("", TensorType(t, x.shape), window, strides, padding, dilations)
    flat = np.arange(x.size, dtype=np.int64).reshape(x.shape)
    best_v = best_i = None
    for (_, v), (_, i) in zip(windows(x.astype(acc), window, strides, padding, dilations, 0,
                                      shape),
                              windows(flat, window, strides, padding, dilations, -1, shape)):
        if best_v is None:
            best_v, best_i = v.copy(), i.copy()
            continue
        with np.errstate(invalid="ignore"):
            better = (v > best_v) if pick_max else (v < best_v)
            better |= np.isnan(v) & ~np.isnan(best_v) if acc.kind == "f" else False
        # Padding never wins; a real element beats padding.
        better = (better & (i >= 0)) | ((best_i < 0) & (i >= 0))
        best_v = np.where(better, v, best_v)
        best_i = np.where(better, i, best_i)
    return best_i if best_i is not None else np.full(shape, -1, np.int64)


def _scatter_ref(pick_max):
    def ref(x, source, init, *, window_dimensions, strides, padding, window_dilations):
        out_t = dtypes.promote(dtypes.from_numpy(source.dtype), dtypes.from_numpy(init.dtype))
        acc = accumulator(out_t)
        pos = scatter_positions(x, window_dimensions, strides, padding, window_dilations,
                                pick_max)
        r = np.full(x.size, init.astype(acc), dtype=acc)
        src = convert(source, out_t).astype(acc)
        with np.errstate(all="ignore"):
            for p, s in zip(pos.reshape(-1), src.reshape(-1)):
                if p >= 0:
                    r[p] = r[p] + s
        return convert(r.reshape(x.shape), out_t)
    return ref


def _scatter_samples(dt):
    T = TensorType
    return [([T(dt, (4, 6)), T(dt, (2, 2)), T(dt, ())],
             {"window_dimensions": (2, 3), "strides": (2, 3)}),
            ([T(dt, (5,)), T(dt, (4,)), T(dt, ())], {"window_dimensions": (2,)}),
            ([T(dt, (3, 4)), T(dt, (2, 2)), T(dt, ())],
             {"window_dimensions": (2, 2), "strides": 2, "padding": "same"}),
            ([T(dt, (2, 5)), T(dt, (1, 3)), T(dt, ())],
             {"window_dimensions": (1, 2), "padding": ((0, 0), (2, 1)), "window_dilations": (1, 2),
              "strides": 2})]


_SCATTER_ATTRS = WINDOW_ATTRS


def _define_scatter(name, pick_max, doc):
    def infer(x, source, init, *, window_dimensions, strides, padding, window_dilations):
        dtype = dtypes.promote(source.dtype, init.dtype)
        return TensorType(dtype, x.shape, x.names)
    infer.__doc__ = doc
    register(name, ref=_scatter_ref(pick_max), attrs=_SCATTER_ATTRS, accepts=dtypes.REAL,
             arity=3, canon=_canon_scatter(name), samples=_scatter_samples)(infer)


_define_scatter("window_scatter_max", True,
                """A tensor of x's shape, init_value everywhere, plus each source element
    added at the position of its window's maximum in x (the first one; NaN wins).

    The type is source's and init_value's promoted; source has the windows' shape.""")
_define_scatter("window_scatter_min", False,
                """A tensor of x's shape, init_value everywhere, plus each source element
    added at the position of its window's minimum in x (the first one; NaN wins).

    The type is source's and init_value's promoted; source has the windows' shape.""")
