"""Ops that create tensors from attributes alone: constant, iota, eye."""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, ShapeError

from .. import dtypes
from ..registry import REQUIRED, register
from ..types import TensorType, axis_index
from .cast import convert


def _canon_constant(types, attrs):
    v = attrs["value"]
    if not isinstance(v, np.ndarray):
        raise ArgumentError(f"constant value must be a numpy array, got {type(v).__name__}")
    dtypes.from_numpy(v.dtype)  # rejects types Nx lacks
    if v.dtype == np.bool_:
        v = v.astype(np.uint8)
    return {"value": v}


@register("constant", ref=lambda *, value: value, attrs={"value": REQUIRED}, arity=0,
          canon=_canon_constant,
          samples=lambda dt: [([], {"value": convert(np.arange(6).reshape(2, 3), dt)}),
                              ([], {"value": convert(np.array(7), dt)})])
def constant(*, value):
    """A tensor whose elements are given."""
    return TensorType(dtypes.from_numpy(value.dtype), value.shape)


def _canon_shaped(types, attrs):
    t = attrs["type"]
    if not isinstance(t, TensorType):
        raise ArgumentError(f"expected a tensor type, got {t!r}")
    if not t.is_static:
        raise ShapeError(f"the shape of a created tensor must be static, got {t}")
    out = dict(attrs)
    if "axis" in attrs and attrs["axis"] is not None:
        if t.rank == 0:
            raise ShapeError("iota with an axis needs a tensor of rank >= 1")
        out["axis"] = axis_index(t, attrs["axis"])
    return out


def _iota_ref(*, type, axis):
    if axis is None:
        a = np.arange(type.size).reshape(type.shape)
    else:
        shape = [1] * type.rank
        shape[axis] = type.shape[axis]
        a = np.broadcast_to(np.arange(type.shape[axis]).reshape(shape), type.shape)
    return convert(np.array(a, order="C"), type.dtype)


@register("iota", ref=_iota_ref, attrs={"type": REQUIRED, "axis": None}, arity=0,
          canon=_canon_shaped,
          samples=lambda dt: [([], {"type": TensorType(dt, (2, 3)), "axis": None}),
                              ([], {"type": TensorType(dt, (2, 3)), "axis": 1}),
                              ([], {"type": TensorType(dt, (4,)), "axis": 0})])
def iota(*, type, axis):
    """Counts up from 0 along `axis`, or across all elements in row-major order."""
    return type


def _eye_ref(*, type):
    n, m = type.shape[-2], type.shape[-1]
    a = np.broadcast_to(np.eye(n, m), type.shape)
    return convert(np.array(a, order="C"), type.dtype)


def _canon_eye(types, attrs):
    attrs = _canon_shaped(types, attrs)
    if attrs["type"].rank < 2:
        raise ShapeError(f"eye needs a shape of rank >= 2, got {attrs['type']}")
    return attrs


@register("eye", ref=_eye_ref, attrs={"type": REQUIRED}, arity=0, canon=_canon_eye,
          samples=lambda dt: [([], {"type": TensorType(dt, (3, 3))}),
                              ([], {"type": TensorType(dt, (2, 3, 4))})])
def eye(*, type):
    """Ones on the diagonal of the last two axes, zeros elsewhere."""
    return type
