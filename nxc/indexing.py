"""Static indexing, `t[0]`, `t[:, 1:3]`, `t[..., -1]`, `t[::2]`, `t[None]`, written
over the API's ops so that the same code indexes eager tensors and traced values.

An index becomes at most three ops: one strided `slice` over the axes that are
narrowed, one `squeeze` of the axes indexed by an int, and a `new_axis` per
None. Ints and slice bounds follow Python (negative counts from the end, slice
bounds clamp); an int out of range is a ShapeError. Slice steps must be
positive (reversing is a separate op in Nx).

A tensor of integers indexes like Nx: `x[t]` is `nx.take(x, t)` (the indices'
shape replaces axis 0, each index clamped into range), and a tensor among the
entries of a tuple takes along the axis it stands for, after the static
entries are applied.
"""
from __future__ import annotations

import operator

import numpy as np

from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.types import Dim
from nxc.runtime.errors import ArgumentError, ShapeError

from . import api, indexed
from ._types import is_operand, type_of


def getitem(x, key):
    """`x[key]` for a tensor or a traced value `x`."""
    t = type_of(x)
    entries = _expand(key if isinstance(key, tuple) else (key,), t.rank)
    taken = []  # (output axis, index tensor), applied after the static entries
    out = 0
    for k, e in enumerate(entries):
        if _is_tensor_index(e):
            taken.append((out, e))
            entries[k] = slice(None)
        if e is None or isinstance(e, slice) or _is_tensor_index(e):
            out += 1
    result = _static(x, t, entries)
    # From the last axis back, so that the earlier axes keep their positions.
    for axis, index in reversed(taken):
        result = indexed.take(result, index, axis=axis)
    return result


def _is_tensor_index(e) -> bool:
    """An integer tensor (or traced value); Python and numpy ints index statically."""
    if e is None or isinstance(e, (slice, np.integer)) or is_number(e) or not is_operand(e):
        return False
    return type_of(e).dtype.is_int


def _static(x, t, entries):
    """`x` indexed by ints, slices and None (one per axis, after `_expand`)."""
    starts, lengths, strides = [], [], []
    squeezed, new_axes = [], []
    axis = out = 0  # the input axis an entry reads, the output axis it makes
    for e in entries:
        if e is None:
            new_axes.append(out)
            out += 1
            continue
        size = t.shape[axis]
        if isinstance(e, slice):
            start, length, stride = _slice(e, size, axis, t)
            out += 1
        else:
            start, length, stride = _int(e, size, axis, t), 1, 1
            squeezed.append(axis)
        starts.append(start)
        lengths.append(length)
        strides.append(stride)
        axis += 1

    result = x
    if any(s != 0 for s in starts) or any(st != 1 for st in strides) or \
            any(n != d for n, d in zip(lengths, t.shape)):
        result = api.slice(result, starts, lengths, strides=strides)
    if squeezed:
        result = api.squeeze(result, axes=squeezed)
    for position in new_axes:
        result = api.new_axis(result, position)
    return result


def _expand(entries, rank):
    """Replace the Ellipsis by full slices; check the number of indexed axes."""
    ellipses = sum(1 for e in entries if e is Ellipsis)
    if ellipses > 1:
        raise ArgumentError("an index can only have a single ellipsis (...)")
    used = sum(1 for e in entries if e is not None and e is not Ellipsis)
    if used > rank:
        raise ShapeError(f"too many indices: {used} given for a tensor of rank {rank}")
    out = []
    for e in entries:
        if e is Ellipsis:
            out.extend([slice(None)] * (rank - used))
        else:
            out.append(e)
    if not ellipses:
        out.extend([slice(None)] * (rank - used))
    return out


def _int(e, size, axis, t):
    if isinstance(e, bool):
        raise ArgumentError(f"a bool is not an index (axis {axis} of {t})")
    try:
        i = operator.index(e)
    except TypeError:
        found = f"a tensor of type {e.type}" if hasattr(e, "type") else f"{e!r} ({type(e).__name__})"
        raise ArgumentError(
            f"tensors are indexed with ints, slices, ..., None and integer tensors, got "
            f"{found} for axis {axis}") from None
    if isinstance(size, Dim):
        if i < 0:
            raise ShapeError(
                f"index {i} counts from the end of axis {axis} of {t}, whose size is "
                "symbolic; use a non-negative index")
        return i
    if not -size <= i < size:
        raise ShapeError(f"index {i} is out of range for axis {axis} of size {size} in {t}")
    return i % size


def _slice(e: slice, size, axis, t):
    """(start, length, stride) of a Python slice in Nx's terms: the length is the
    span the stride walks over, so the result has ceil(length / stride) elements."""
    bounds = [_bound(b, axis) for b in (e.start, e.stop, e.step)]
    if bounds[2] is not None and bounds[2] <= 0:
        raise ArgumentError(
            f"slice step must be positive, got {bounds[2]} for axis {axis}; "
            "use nx.reverse to reverse an axis")
    if isinstance(size, Dim):
        if bounds[0] in (None, 0) and bounds[1] is None and bounds[2] in (None, 1):
            return 0, size, 1
        raise ShapeError(
            f"axis {axis} of {t} has a symbolic size; only ':' can index it statically")
    start, stop, step = slice(*bounds).indices(size)
    count = len(range(start, stop, step))
    if count == 0:
        return 0, 0, 1
    return start, (count - 1) * step + 1, step


def _bound(b, axis):
    if b is None:
        return None
    if isinstance(b, bool):
        raise ArgumentError(f"a bool is not a slice bound (axis {axis})")
    try:
        return operator.index(b)
    except TypeError:
        raise ArgumentError(
            f"slice bounds must be ints, got {b!r} ({type(b).__name__}) for axis {axis}") from None
