"""Ops that exist for automatic differentiation: stop_grad, custom_grad, and the
row access (take_row, put_row) that loop gradients use to save and read states.

stop_grad and custom_grad compute nothing (they return their first operand);
they tell the gradient pass (compiler/passes/grad) what to do instead of
differentiating what made the value. take_row and put_row read and write row
`index` of a buffer (axis 0) at an index known only at run time; an index out
of range reads zeros and writes nothing, as if the buffer had no such row, so
both are total and each is the other's gradient.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import DTypeError, ShapeError

from .. import dtypes
from ..registry import register
from ..types import TensorType
from .control import _check_regions, _same_types
from .elementwise import unary_samples


@register("stop_grad", ref=lambda x: x, samples=unary_samples)
def stop_grad(x):
    """x, unchanged; its gradient is zero: nothing that made x is differentiated."""
    return x


def _custom_grad_ref(value, *inputs, regions):
    return value


@register("custom_grad", ref=_custom_grad_ref, arity=None, regions=1)
def custom_grad(value, *inputs, regions):
    """`value`, unchanged, whose gradient is given by the region, not by how it was made.

    The region takes the gradient flowing into the result (the type of `value`)
    and yields one gradient per input, of exactly that input's type. Gradients
    flow to the inputs only; the ops that computed `value` are not differentiated.
    """
    _check_regions("custom_grad", regions, ("gradient",))
    ((args, results),) = regions
    _same_types("custom_grad", [value], args, "the value", "the region's arguments")
    _same_types("custom_grad", list(inputs), results, "the inputs", "the region's result")
    return value


# ---------------------------------------------------------------------------
# take_row, put_row
# ---------------------------------------------------------------------------

def _check_buffer(op, buffer, index):
    if buffer.rank == 0:
        raise ShapeError(f"{op} needs a buffer of rank >= 1 (rows on axis 0), got {buffer}")
    if index.rank != 0 or not index.dtype.is_int:
        raise DTypeError(f"{op} index must be an integer scalar, got {index}")


def _row_type(buffer: TensorType) -> TensorType:
    return TensorType(buffer.dtype, buffer.shape[1:], buffer.names[1:])


def _in_range(buffer, index):
    i = int(index)
    return 0 <= i < buffer.shape[0], i


def _take_row_ref(buffer, index):
    ok, i = _in_range(buffer, index)
    return buffer[i].copy() if ok else np.zeros(buffer.shape[1:], buffer.dtype)


def _row_samples(dt):
    T, s32 = TensorType, dtypes.s32
    return [([T(dt, (4, 3)), T(s32, ())], {}),
            ([T(dt, (6,)), T(s32, ())], {}),
            ([T(dt, (2, 2, 3), ("k", None, "c")), T(dtypes.u8, ())], {}),
            ([T(dt, (0, 2)), T(s32, ())], {})]


@register("take_row", ref=_take_row_ref, arity=2, samples=_row_samples)
def take_row(buffer, index):
    """Row `index` (an integer scalar) of `buffer` along axis 0; zeros when out of range."""
    _check_buffer("take_row", buffer, index)
    return _row_type(buffer)


def _put_row_ref(buffer, index, row):
    ok, i = _in_range(buffer, index)
    out = buffer.copy()
    if ok:
        out[i] = row
    return out


def _put_row_samples(dt):
    return [([b, i, _row_type(b)], attrs) for (b, i), attrs in _row_samples(dt)]


@register("put_row", ref=_put_row_ref, arity=3, samples=_put_row_samples)
def put_row(buffer, index, row):
    """`buffer` with row `index` replaced by `row`; unchanged when the index is out of range.

    `row` has the buffer's type without axis 0 (dtype and shape; names may differ).
    """
    _check_buffer("put_row", buffer, index)
    want = _row_type(buffer)
    if row.dtype != want.dtype:
        raise DTypeError(f"put_row: the row {row} must have the buffer's type {buffer.dtype}")
    if row.shape != want.shape:
        raise ShapeError(f"put_row: the row {row} must have the shape of a row of {buffer}")
    return buffer

