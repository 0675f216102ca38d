"""The Nx op namespace: `nx.add`, `nx.sum`, `nx.dot`, ...

Each function is a thin call of `apply` with Nx's argument names and defaults,
so it runs eagerly on tensors, numpy arrays and Python numbers, and appends an
op when given values being traced inside `defn`. The op's type rule decides
shapes, types and names; see compiler/ir/ops for each op's full rules.

Some names shadow Python builtins inside this module (sum, max, min, abs,
round, slice, all, any, pow), as they do in Nx; the module does not use those
builtins.
"""
from __future__ import annotations

import math as _math

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import ArgumentError

from ._dispatch import apply
from ._types import type_of

__all__ = [
    "add", "subtract", "multiply", "divide", "quotient", "remainder", "pow", "max",
    "min", "atan2", "negate", "abs", "sign", "floor", "ceil", "round", "exp", "expm1",
    "log", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan", "tanh", "sigmoid", "erf",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_not", "select", "clip", "as_type", "sum", "product",
    "reduce_max", "reduce_min", "mean", "all", "any", "argmax", "argmin", "dot", "reshape",
    "rename", "transpose", "broadcast", "squeeze", "new_axis", "slice", "put_slice",
    "concatenate", "stack", "pad", "iota", "eye"]

# ---------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------


def add(left, right):
    """Element-wise left + right, broadcast, with Nx's type promotion."""
    return apply("add", left, right)


def subtract(left, right):
    """Element-wise left - right."""
    return apply("subtract", left, right)


def multiply(left, right):
    """Element-wise left * right."""
    return apply("multiply", left, right)


def divide(left, right):
    """Element-wise left / right; always floating (integers give f32)."""
    return apply("divide", left, right)


def quotient(left, right):
    """Integer division truncating toward zero; integer types only."""
    return apply("quotient", left, right)


def remainder(left, right):
    """The remainder of left / right, with the sign of the dividend (like C's fmod)."""
    return apply("remainder", left, right)


def pow(left, right):
    """left raised to right; integers stay integers (a negative integer exponent is an error)."""
    return apply("pow", left, right)


def max(left, right):
    """The element-wise maximum of two tensors (reduce with nx.reduce_max)."""
    return apply("max", left, right)


def min(left, right):
    """The element-wise minimum of two tensors (reduce with nx.reduce_min)."""
    return apply("min", left, right)


def atan2(left, right):
    """The angle of the point (right, left), in radians; floating."""
    return apply("atan2", left, right)


# ---------------------------------------------------------------------------
# Unary math
# ---------------------------------------------------------------------------


def negate(tensor):
    """-tensor (integers wrap)."""
    return apply("negate", tensor)


def abs(tensor):
    """The absolute value; complex gives its real type."""
    return apply("abs", tensor)


def sign(tensor):
    """-1, 0 or 1 by the sign of each element."""
    return apply("sign", tensor)


def floor(tensor):
    """Rounds down to an integral value (integers unchanged)."""
    return apply("floor", tensor)


def ceil(tensor):
    """Rounds up to an integral value (integers unchanged)."""
    return apply("ceil", tensor)


def round(tensor):
    """Rounds to the nearest integral value, halves away from zero (2.5 -> 3.0)."""
    return apply("round", tensor)


def exp(tensor):
    """e ** tensor; floating (integers give f32), as every unary math function below."""
    return apply("exp", tensor)


def expm1(tensor):
    """exp(tensor) - 1, accurate near 0."""
    return apply("expm1", tensor)


def log(tensor, base=None):
    """The natural logarithm; with `base`, the logarithm in that base (log(x) / log(base))."""
    if base is None:
        return apply("log", tensor)
    if isinstance(base, (int, float)) and not isinstance(base, bool):
        return apply("divide", apply("log", tensor), _math.log(base))
    return apply("divide", apply("log", tensor), apply("log", base))


def log1p(tensor):
    """log(1 + tensor), accurate near 0."""
    return apply("log1p", tensor)


def sqrt(tensor):
    """The square root."""
    return apply("sqrt", tensor)


def rsqrt(tensor):
    """1 / sqrt(tensor)."""
    return apply("rsqrt", tensor)


def sin(tensor):
    """The sine, in radians."""
    return apply("sin", tensor)


def cos(tensor):
    """The cosine, in radians."""
    return apply("cos", tensor)


def tan(tensor):
    """The tangent, in radians."""
    return apply("tan", tensor)


def tanh(tensor):
    """The hyperbolic tangent."""
    return apply("tanh", tensor)


def sigmoid(tensor):
    """1 / (1 + exp(-tensor))."""
    return apply("sigmoid", tensor)


def erf(tensor):
    """The error function; real types only."""
    return apply("erf", tensor)


# ---------------------------------------------------------------------------
# Comparisons and logic: u8 results of 0 and 1
# ---------------------------------------------------------------------------


def equal(left, right):
    """1 where left == right, else 0 (u8)."""
    return apply("equal", left, right)


def not_equal(left, right):
    """1 where left != right, else 0 (u8)."""
    return apply("not_equal", left, right)


def less(left, right):
    """1 where left < right, else 0 (u8)."""
    return apply("less", left, right)


def less_equal(left, right):
    """1 where left <= right, else 0 (u8)."""
    return apply("less_equal", left, right)


def greater(left, right):
    """1 where left > right, else 0 (u8)."""
    return apply("greater", left, right)


def greater_equal(left, right):
    """1 where left >= right, else 0 (u8)."""
    return apply("greater_equal", left, right)


def logical_and(left, right):
    """1 where both are non-zero, else 0 (u8)."""
    return apply("logical_and", left, right)


def logical_or(left, right):
    """1 where either is non-zero, else 0 (u8)."""
    return apply("logical_or", left, right)


def logical_not(tensor):
    """1 where tensor is zero, else 0 (u8)."""
    return apply("logical_not", tensor)


def select(pred, on_true, on_false):
    """on_true where pred is non-zero, else on_false; all three broadcast together."""
    return apply("select", pred, on_true, on_false)


def clip(tensor, min, max):
    """tensor limited to [min, max] element-wise; real types only."""
    return apply("clip", tensor, min, max)


def as_type(tensor, type):
    """Converts to `type` with Nx's semantics: ints wrap, floats to ints truncate and saturate."""
    return apply("as_type", tensor, type=type)


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------


def sum(tensor, axes=None, keep_axes=False):
    """The sum over `axes` (ints or names; None: all).

    Small integers widen (u8 -> u32, s8 -> s32)."""
    return apply("sum", tensor, axes=axes, keep_axes=keep_axes)


def product(tensor, axes=None, keep_axes=False):
    """The product over `axes`; small integers widen as in sum."""
    return apply("product", tensor, axes=axes, keep_axes=keep_axes)


def reduce_max(tensor, axes=None, keep_axes=False):
    """The maximum over `axes`."""
    return apply("reduce_max", tensor, axes=axes, keep_axes=keep_axes)


def reduce_min(tensor, axes=None, keep_axes=False):
    """The minimum over `axes`."""
    return apply("reduce_min", tensor, axes=axes, keep_axes=keep_axes)


def mean(tensor, axes=None, keep_axes=False):
    """The mean over `axes`; floating (integers give f32)."""
    return apply("mean", tensor, axes=axes, keep_axes=keep_axes)


def all(tensor, axes=None, keep_axes=False):
    """1 (u8) where every element over `axes` is non-zero."""
    return apply("all", tensor, axes=axes, keep_axes=keep_axes)


def any(tensor, axes=None, keep_axes=False):
    """1 (u8) where some element over `axes` is non-zero."""
    return apply("any", tensor, axes=axes, keep_axes=keep_axes)


def argmax(tensor, axis=None, keep_axis=False, tie_break="low", type=None):
    """The index (s32, or the integer `type`) of the maximum along `axis`, or in the
    flattened tensor when None.

    tie_break "low" picks the first of equal maxima, "high" the last.
    """
    return _index_type(apply("argmax", tensor, axis=axis, keep_axis=keep_axis,
                             tie_break=tie_break), type)


def argmin(tensor, axis=None, keep_axis=False, tie_break="low", type=None):
    """The index (s32, or the integer `type`) of the minimum along `axis`, or in the
    flattened tensor when None."""
    return _index_type(apply("argmin", tensor, axis=axis, keep_axis=keep_axis,
                             tie_break=tie_break), type)


def _index_type(index, type):
    if type is None:
        return index
    t = dtypes.parse(type)
    if not t.is_int:
        raise ArgumentError(f"the type of an index must be an integer type, got {t}")
    return index if t == dtypes.INDEX else apply("as_type", index, type=t)


# ---------------------------------------------------------------------------
# Contraction
# ---------------------------------------------------------------------------


def dot(a, *args):
    """The dot product, in Nx's two forms.

    `dot(a, b)`: scalars multiply; otherwise the last axis of a is contracted
    with the second-to-last of b (the last when b is a vector), as numpy.dot.

    `dot(a, contract_axes_a, batch_axes_a, b, contract_axes_b, batch_axes_b)`
    (or, without batch axes, `dot(a, contract_axes_a, b, contract_axes_b)`):
    the given axes of a and b are contracted pairwise, the batch axes are
    paired; the result has the batch axes, then a's free axes, then b's.
    """
    if len(args) == 1:
        (b,) = args
        if type_of(a).rank == 0 or type_of(b).rank == 0:
            return apply("multiply", a, b)
        return apply("dot", a, b)
    if len(args) == 3:
        contract_a, b, contract_b = args
        batch_a = batch_b = ()
    elif len(args) == 5:
        contract_a, batch_a, b, contract_b, batch_b = args
    else:
        raise ArgumentError(
            f"dot takes 2, 4 or 6 arguments (a, b), (a, contract_axes_a, b, contract_axes_b) "
            f"or (a, contract_axes_a, batch_axes_a, b, contract_axes_b, batch_axes_b); "
            f"got {1 + len(args)}")
    return apply("dot", a, b, contract_axes=(contract_a, contract_b),
                 batch_axes=(batch_a, batch_b))


# ---------------------------------------------------------------------------
# Shape
# ---------------------------------------------------------------------------


def reshape(tensor, shape, names=None):
    """The same elements with a new shape (one entry may be -1); names are cleared unless given.

    `shape` may also be a tensor, whose shape (and names, unless given) is taken.
    """
    return apply("reshape", tensor, shape=_shape(shape), names=_shape_names(shape, names))


def rename(tensor, names):
    """The same tensor with new axis names (one per axis, None for unnamed)."""
    return apply("reshape", tensor, shape=type_of(tensor).shape, names=names)


def transpose(tensor, axes=None):
    """Permutes the axes (reverses them by default); names follow their axes."""
    return apply("transpose", tensor, axes=axes)


def broadcast(tensor, shape, axes=None, names=None):
    """Broadcasts to `shape` (or a tensor's shape); axis i of tensor goes to axes[i]
    (default: right-aligned). Names come from `names`, else from tensor."""
    return apply("broadcast", tensor, shape=_shape(shape), axes=axes,
                 names=_shape_names(shape, names))


def squeeze(tensor, axes=None):
    """Removes the given size-1 axes, or every size-1 axis."""
    return apply("squeeze", tensor, axes=axes)


def new_axis(tensor, axis, name=None):
    """Inserts an axis of size 1 at `axis` (negative counts from the end of the result)."""
    return apply("new_axis", tensor, axis=axis, name=name)


def slice(tensor, start_indices, lengths, strides=None):
    """Takes `lengths[i]` elements from `start_indices[i]` on each axis, every `strides[i]`.

    As in Nx, a length is the span walked: the result has ceil(length / stride)
    elements on that axis. Starts may be integer scalar tensors, clamped so
    that the slice fits (nxc/indexed.py).
    """
    from . import indexed
    if isinstance(strides, int) and not isinstance(strides, bool):  # one stride for every axis
        strides = (strides,) * type_of(tensor).rank
    if indexed.is_dynamic(start_indices):
        return indexed.dynamic_slice(tensor, start_indices, lengths, strides)
    return apply("slice", tensor, start_indices=start_indices, lengths=lengths, strides=strides)


def put_slice(tensor, start_indices, update):
    """`tensor` with `update` written at `start_indices` (clamped so that it fits).

    Starts may be integer scalar tensors (nxc/indexed.py).
    """
    from . import indexed
    if indexed.is_dynamic(start_indices):
        return indexed.dynamic_put_slice(tensor, start_indices, update)
    return apply("put_slice", tensor, update, start_indices=start_indices)


def concatenate(tensors, axis=0):
    """Joins a list of tensors along an existing axis; types promote."""
    return apply("concatenate", *_sequence("concatenate", tensors), axis=axis)


def stack(tensors, axis=0, name=None):
    """Joins a list of tensors of equal shape along a new axis `axis` named `name`."""
    return apply("stack", *_sequence("stack", tensors), axis=axis, name=name)


def pad(tensor, pad_value, config):
    """Pads with the scalar `pad_value`: one (low, high, interior) per axis; negative crops."""
    return apply("pad", tensor, pad_value, config=config)


# ---------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------


def iota(shape, type=dtypes.s32, axis=None, names=None):
    """Counts up from 0 along `axis`, or through all elements in row-major order when None."""
    return apply("iota", type=_created("iota", shape, type, names), axis=axis)


def eye(n_or_shape, type=dtypes.s32, names=None):
    """Ones on the diagonal of the last two axes; an int n gives an n x n matrix."""
    shape = (n_or_shape, n_or_shape) if _is_int(n_or_shape) else n_or_shape
    return apply("eye", type=_created("eye", shape, type, names))


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _shape(shape):
    """A shape option: a tuple of sizes, or any tensor, whose shape it means (as in Nx)."""
    t = getattr(shape, "type", None)
    return t.shape if isinstance(t, TensorType) else shape


def _shape_names(shape, names):
    """`names`, or those of a tensor given as the shape (Nx takes both from it)."""
    t = getattr(shape, "type", None)
    if names is None and isinstance(t, TensorType) and t.names != (None,) * t.rank:
        return t.names
    return names


def _created(op, shape, type, names) -> TensorType:
    shape = _shape(shape)
    if _is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise ArgumentError(f"{op} shape must be a tuple of sizes, got {shape!r}")
    return TensorType(dtypes.parse(type), tuple(shape), None if names is None else tuple(names))


def _sequence(op, tensors):
    if not isinstance(tensors, (list, tuple)):
        raise ArgumentError(f"{op} takes a list of tensors, got {type(tensors).__name__}")
    return tensors
