"""Reductions: sum, product, reduce_max, reduce_min, mean, argmax, argmin, all, any.

`axes` (None = every axis) takes ints, negative ints or axis names and becomes a
sorted tuple of non-negative ints; reduced axes and their names are dropped, or
kept with size 1 (and their names) under `keep_axes`. Result types follow Nx:
sum/product widen small integers, mean gives floats, argmax/argmin give s32,
all/any give u8. f16/bf16 accumulate in f32 and round once.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, ShapeError

from .. import dtypes
from ..registry import register
from ..types import TensorType, axes_indices, axis_index
from .cast import convert


def accumulator(dt):
    """The numpy type a reference accumulates `dt` in: f16/bf16 widen to f32."""
    return np.dtype(np.float32) if dt in (dtypes.f16, dtypes.bf16) else dt.numpy


def _dtype(a: np.ndarray):
    return dtypes.from_numpy(a.dtype)


def _check_bool(op, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{op} option {name} must be true or false, got {value!r}")
    return bool(value)


# ---------------------------------------------------------------------------
# Attributes and types shared by the axes reductions
# ---------------------------------------------------------------------------

def _canon_axes(op):
    def canon(types, attrs):
        (x,) = types
        return {"axes": tuple(sorted(axes_indices(x, attrs["axes"]))),
                "keep_axes": _check_bool(op, "keep_axes", attrs["keep_axes"])}
    return canon


def reduced(x: TensorType, axes, keep, dtype) -> TensorType:
    """The type of reducing `axes` of `x`: dropped (names too), or size 1 with `keep`."""
    shape, names = [], []
    for i, (d, n) in enumerate(zip(x.shape, x.names)):
        if i not in axes:
            shape.append(d)
            names.append(n)
        elif keep:
            shape.append(1)
            names.append(n)
    return TensorType(dtype, tuple(shape), tuple(names))


def _reduce_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3))], {"axes": None}),
            ([T(dt, (2, 3, 4))], {"axes": (0, 2)}),
            ([T(dt, (2, 3))], {"axes": (-1,), "keep_axes": True}),
            ([T(dt, ())], {}),
            ([T(dt, (0, 3))], {"axes": (0,)})]


def _product_samples(dt):
    # Few factors per product: f16 overflows past 65504.
    T = TensorType
    return [([T(dt, (2, 3))], {"axes": (1,)}),
            ([T(dt, (3, 2))], {"axes": (0,), "keep_axes": True}),
            ([T(dt, ())], {}),
            ([T(dt, (0, 3))], {"axes": None})]


_AXES = {"axes": None, "keep_axes": False}


# ---------------------------------------------------------------------------
# sum, product
# ---------------------------------------------------------------------------

def _sum_like(np_reduce):
    def ref(x, *, axes, keep_axes):
        out_t = dtypes.reduction_type(_dtype(x))
        acc = out_t.numpy if out_t.is_int else accumulator(out_t)
        # Integers wrap in the widened type, as compiled code does.
        a = convert(x, out_t) if out_t.is_int else x.astype(acc)
        with np.errstate(all="ignore"):
            r = np_reduce(a, axis=axes, keepdims=keep_axes, dtype=acc)
        return convert(np.asarray(r), out_t)
    return ref


@register("sum", ref=_sum_like(np.sum), attrs=_AXES, canon=_canon_axes("sum"),
          samples=_reduce_samples)
def sum_(x, *, axes, keep_axes):
    """Sum of the elements over `axes`; s8/s16 -> s32, u8/u16/u32 -> u32, u64 -> s64."""
    return reduced(x, axes, keep_axes, dtypes.reduction_type(x.dtype))


@register("product", ref=_sum_like(np.prod), attrs=_AXES, canon=_canon_axes("product"),
          samples=_product_samples)
def product(x, *, axes, keep_axes):
    """Product of the elements over `axes`; widens integers as sum does."""
    return reduced(x, axes, keep_axes, dtypes.reduction_type(x.dtype))


# ---------------------------------------------------------------------------
# reduce_max, reduce_min
# ---------------------------------------------------------------------------

def _extremum(np_reduce, identity):
    def ref(x, *, axes, keep_axes):
        t = _dtype(x)
        acc = accumulator(t)
        # The identity makes an empty reduction well defined; NaN propagates.
        init = acc.type(identity(t))
        r = np_reduce(x.astype(acc), axis=axes, keepdims=keep_axes, initial=init)
        return convert(np.asarray(r), t)
    return ref


@register("reduce_max", ref=_extremum(np.max, lambda t: t.min_value()), attrs=_AXES,
          accepts=dtypes.REAL, canon=_canon_axes("reduce_max"), samples=_reduce_samples)
def reduce_max(x, *, axes, keep_axes):
    """Maximum over `axes`; NaN wins; an empty reduction gives -inf (the type's min for ints)."""
    return reduced(x, axes, keep_axes, x.dtype)


@register("reduce_min", ref=_extremum(np.min, lambda t: t.max_value()), attrs=_AXES,
          accepts=dtypes.REAL, canon=_canon_axes("reduce_min"), samples=_reduce_samples)
def reduce_min(x, *, axes, keep_axes):
    """Minimum over `axes`; NaN wins; an empty reduction gives +inf (the type's max for ints)."""
    return reduced(x, axes, keep_axes, x.dtype)


# ---------------------------------------------------------------------------
# mean
# ---------------------------------------------------------------------------

def _mean_ref(x, *, axes, keep_axes):
    t = _dtype(x)
    out_t = dtypes.to_float(t)
    count = 1
    for a in axes:
        count *= x.shape[a]
    if t.is_int:
        # Nx: divide(sum(x), count), the sum in the widened integer type.
        s = _sum_like(np.sum)(x, axes=axes, keep_axes=keep_axes)
        s, acc = convert(s, out_t), np.dtype(np.float32)
    else:
        acc = accumulator(t)
        s = np.sum(x.astype(acc), axis=axes, keepdims=keep_axes, dtype=acc)
    with np.errstate(all="ignore"):  # an empty mean is 0/0 = NaN, without a warning
        r = np.asarray(s, dtype=acc) / acc.type(count)
    return convert(np.asarray(r), out_t)


@register("mean", ref=_mean_ref, attrs=_AXES, canon=_canon_axes("mean"),
          samples=_reduce_samples)
def mean(x, *, axes, keep_axes):
    """Arithmetic mean over `axes`; integers give f32; an empty mean is NaN."""
    return reduced(x, axes, keep_axes, dtypes.to_float(x.dtype))


# ---------------------------------------------------------------------------
# argmax, argmin
# ---------------------------------------------------------------------------

def _canon_arg(op):
    def canon(types, attrs):
        (x,) = types
        tie = attrs["tie_break"]
        if tie not in ("low", "high"):
            raise ArgumentError(f"{op} option tie_break must be 'low' or 'high', got {tie!r}")
        axis = attrs["axis"]
        keep = _check_bool(op, "keep_axis", attrs["keep_axis"])
        if axis is None:
            # Over the flattened tensor the result is a scalar; there is no axis to keep.
            return {"axis": None, "keep_axis": False, "tie_break": tie}
        if x.rank == 0:
            raise ShapeError(f"{op} of the scalar {x} has no axis {axis!r}; omit axis")
        return {"axis": axis_index(x, axis), "keep_axis": keep, "tie_break": tie}
    return canon


def _arg_result(op, x, axis, keep_axis):
    reduced_dims = x.shape if axis is None else (x.shape[axis],)
    if any(d == 0 for d in reduced_dims):
        where = "of an empty tensor" if axis is None else f"over the empty axis {axis}"
        raise ShapeError(f"{op} {where} ({x}) has no index to return")
    if axis is None:
        return TensorType(dtypes.INDEX, ())
    return reduced(x, (axis,), keep_axis, dtypes.INDEX)


def _arg_ref(np_arg):
    def ref(x, *, axis, keep_axis, tie_break):
        a = x.astype(accumulator(_dtype(x)))
        a = a.reshape(-1) if axis is None else np.moveaxis(a, axis, -1)
        n = a.shape[-1]
        if n == 0:  # only reachable with a symbolic size; compiled code returns 0 too
            idx = np.zeros(a.shape[:-1], dtype=np.int64)
        elif tie_break == "low":
            # numpy returns the first extreme, and the first NaN when there is one.
            idx = np_arg(a, axis=-1)
        else:
            idx = n - 1 - np_arg(a[..., ::-1], axis=-1)
        if axis is not None and keep_axis:
            idx = np.expand_dims(idx, axis)
        return np.asarray(idx).astype(dtypes.INDEX.numpy)
    return ref


_ARG = {"axis": None, "keep_axis": False, "tie_break": "low"}


def _arg_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3))], {}),
            ([T(dt, (2, 3, 4))], {"axis": 1}),
            ([T(dt, (2, 3))], {"axis": -1, "keep_axis": True, "tie_break": "high"}),
            ([T(dt, (6,))], {"axis": 0, "tie_break": "high"}),
            ([T(dt, ())], {})]


@register("argmax", ref=_arg_ref(np.argmax), attrs=_ARG, accepts=dtypes.REAL,
          canon=_canon_arg("argmax"), samples=_arg_samples)
def argmax(x, *, axis, keep_axis, tie_break):
    """Index (s32) of the maximum along `axis`, or in the flattened tensor.

    A NaN wins over every number; among equal candidates `tie_break` "low" picks
    the first, "high" the last.
    """
    return _arg_result("argmax", x, axis, keep_axis)


@register("argmin", ref=_arg_ref(np.argmin), attrs=_ARG, accepts=dtypes.REAL,
          canon=_canon_arg("argmin"), samples=_arg_samples)
def argmin(x, *, axis, keep_axis, tie_break):
    """Index (s32) of the minimum along `axis`, or in the flattened tensor.

    A NaN wins over every number; among equal candidates `tie_break` "low" picks
    the first, "high" the last.
    """
    return _arg_result("argmin", x, axis, keep_axis)


# ---------------------------------------------------------------------------
# all, any
# ---------------------------------------------------------------------------

def _truth_ref(np_reduce):
    def ref(x, *, axes, keep_axes):
        return np.asarray(np_reduce(x != 0, axis=axes, keepdims=keep_axes)).astype(np.uint8)
    return ref


@register("all", ref=_truth_ref(np.all), attrs=_AXES, canon=_canon_axes("all"),
          samples=_reduce_samples)
def all_(x, *, axes, keep_axes):
    """1 (u8) where every element over `axes` is nonzero (NaN counts as true); empty gives 1."""
    return reduced(x, axes, keep_axes, dtypes.u8)


@register("any", ref=_truth_ref(np.any), attrs=_AXES, canon=_canon_axes("any"),
          samples=_reduce_samples)
def any_(x, *, axes, keep_axes):
    """1 (u8) where some element over `axes` is nonzero (NaN counts as true); empty gives 0."""
    return reduced(x, axes, keep_axes, dtypes.u8)
