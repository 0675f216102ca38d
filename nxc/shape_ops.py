"""Shape functions over the shape ops: nx.flatten, nx.tile, nx.reverse, nx.diff,
nx.outer, nx.split, nx.slice_along_axis, nx.pad_edge.

reverse is a registry op; the others are compositions (nxc/composite.py) of
reshape, broadcast, slice, take and arithmetic, so they differentiate, batch
and compile through those. Options are static, as in Nx.
"""
from __future__ import annotations

import math

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import Dim, TensorType, axes_indices, axis_index
from nxc.runtime.errors import ArgumentError, ShapeError

from . import api, elementwise, indexed
from ._dispatch import apply
from ._types import type_of
from .composite import composite

__all__ = ["flatten", "tile", "reverse", "diff", "outer", "split", "slice_along_axis",
           "pad_edge"]


def reverse(tensor, axes=None):
    """Reverses the order of the elements along `axes` (every axis by default)."""
    return apply("reverse", tensor, axes=axes)


def _flatten_samples(dt):
    T = TensorType
    return [((T(dt, (2, 3, 2)),), {}),
            ((T(dt, (2, 3, 4)),), {"axes": (1, 2)}),
            ((T(dt, ()),), {})]


@composite(samples=_flatten_samples)
def flatten(tensor, axes=None):
    """The tensor with consecutive `axes` (all by default) merged into one.

    Flattening all axes gives a rank-1 tensor without names; with `axes`, the
    other axes keep their names and the merged axis has none.
    """
    t = type_of(tensor)
    if axes is None:
        return api.reshape(tensor, (-1,))
    axes = sorted(axes_indices(t, axes))
    if axes != list(range(axes[0], axes[0] + len(axes))):
        raise ArgumentError(f"flatten axes must be consecutive, got {list(axes)} for {t}")
    first, last = axes[0], axes[-1] + 1
    size = math.prod(t.shape[first:last])
    shape = t.shape[:first] + (size,) + t.shape[last:]
    names = t.names[:first] + (None,) + t.names[last:]
    return api.reshape(tensor, shape, names=names)


def _tile_samples(dt):
    T = TensorType
    return [((T(dt, (3,)),), {"repetitions": (2,)}),
            ((T(dt, (2, 2)),), {"repetitions": (2, 1, 3)}),
            ((T(dt, (1, 2, 3)),), {"repetitions": (2,)})]


@composite(samples=_tile_samples)
def tile(tensor, repetitions):
    """`tensor` repeated `repetitions[i]` times along each axis (numpy's tile).

    With more repetitions than axes the tensor gains leading axes; with fewer,
    the repetitions apply to the last axes. Names are cleared.
    """
    if not isinstance(repetitions, (tuple, list)) or not all(
            isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in repetitions):
        raise ArgumentError(f"repetitions must be a list of integers >= 1, got {repetitions!r}")
    t = type_of(tensor)
    reps = list(repetitions)
    dims = list(t.shape)
    if len(reps) < len(dims):
        reps = [1] * (len(dims) - len(reps)) + reps
    dims = [1] * (len(reps) - len(dims)) + dims
    if any(isinstance(d, Dim) for d in dims):
        raise ShapeError(f"tile needs a tensor of static shape, got {t}")
    x = api.reshape(tensor, tuple(v for d in dims for v in (1, d)))
    x = api.broadcast(x, tuple(v for r, d in zip(reps, dims) for v in (r, d)))
    return api.reshape(x, tuple(r * d for r, d in zip(reps, dims)))


def _diff_samples(dt):
    T = TensorType
    return [((T(dt, (5,)),), {}),
            ((T(dt, (3, 4)),), {"order": 2}),
            ((T(dt, (3, 4)),), {"axis": 0}),
            ((T(dt, (3,)),), {"order": 0})]


@composite(samples=_diff_samples)
def diff(tensor, order=1, axis=-1):
    """The order-th forward difference along `axis`: x[i + 1] - x[i], `order` times.

    The axis shrinks by `order`; the type is subtract's (integers wrap).
    """
    t = type_of(tensor)
    if t.rank == 0:
        raise ShapeError(f"cannot compute diff of a scalar ({t})")
    axis = axis_index(t, axis)
    size = t.shape[axis]
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise ArgumentError(f"diff order must be an int >= 0, got {order!r}")
    if isinstance(size, Dim) or order > size:
        raise ShapeError(f"diff of order {order} needs a static axis {axis} of at least "
                         f"{order} elements, got {t}")
    for k in range(order):
        d = size - k - 1
        tensor = api.subtract(slice_along_axis(tensor, 1, d, axis=axis),
                              slice_along_axis(tensor, 0, d, axis=axis))
    return tensor


def _outer_samples(dt):
    T = TensorType
    return [((T(dt, (3,)), T(dt, (2,))), {}),
            ((T(dt, (2, 2)), T(dt, (3,))), {}),
            ((T(dt, (2,)), T(dt, ())), {})]


@composite(samples=_outer_samples)
def outer(a, b):
    """The outer product: every element of a times every element of b, conjugated
    when the result is complex (Nx.outer).

    The result is always (size(a), size(b)); its axes take the name of a's
    first axis and of b's last. The type is multiply's.
    """
    ta, tb = type_of(a), type_of(b)
    if dtypes.promote(ta.dtype, tb.dtype).is_complex:
        b = elementwise.conjugate(b)
    names = (ta.names[0] if ta.rank else None, tb.names[-1] if tb.rank else None)
    product = api.multiply(api.reshape(a, (-1, 1)), api.reshape(b, (1, -1)))
    return api.rename(product, names)


def _split_samples(dt):
    T = TensorType
    return [((T(dt, (3, 4)),), {"split": 2}),
            ((T(dt, (3, 4)),), {"split": 0.75, "axis": 1}),
            ((T(dt, (4,)),), {"split": -1})]


@composite(samples=_split_samples)
def split(tensor, split, axis=0):
    """Two parts of `tensor` along `axis`, cut at `split`: (before, from).

    `split` is an index (negative counts from the end) or a fraction of the
    axis (ceil(split * size) elements go first); neither part may be empty.
    """
    t = type_of(tensor)
    axis = axis_index(t, axis)
    size = t.shape[axis]
    if isinstance(size, Dim):
        raise ShapeError(f"split needs a static axis {axis}, got {t}")
    if isinstance(split, bool) or not isinstance(split, (int, float)):
        raise ArgumentError(f"split must be an int or a float, got {split!r}")
    at = (split if split >= 0 else size + split) if isinstance(split, int) \
        else math.ceil(split * size)
    if not 0 < at < size:
        raise ShapeError(f"split {split!r} of axis {axis} of {t} leaves an empty part")
    return (slice_along_axis(tensor, 0, at, axis=axis),
            slice_along_axis(tensor, at, size - at, axis=axis))


def _slice_along_samples(dt):
    T = TensorType
    return [((T(dt, (5, 2)),), {"start_index": 1, "length": 2}),
            ((T(dt, (2, 5)),), {"start_index": 0, "length": 3, "axis": -1,
                                             "strides": 2})]


@composite(samples=_slice_along_samples)
def slice_along_axis(tensor, start_index, length, axis=0, strides=1):
    """`length` elements along `axis` from `start_index`, every `strides`-th.

    `start_index` may be an integer scalar tensor, clamped so the slice fits.
    """
    t = type_of(tensor)
    axis = axis_index(t, axis)
    starts = [0] * t.rank
    lengths = list(t.shape)
    steps = [1] * t.rank
    starts[axis], lengths[axis], steps[axis] = start_index, length, strides
    return api.slice(tensor, tuple(starts), tuple(lengths), strides=tuple(steps))


# ---------------------------------------------------------------------------
# Edge padding
# ---------------------------------------------------------------------------

def _edge_positions(mode, size, lo, hi):
    """The source position of each output position p in [-lo, size + hi)."""
    p = np.arange(-lo, size + hi)
    if mode == "replicate":
        return np.clip(p, 0, size - 1)
    if mode == "cyclic":
        return p % size
    if mode == "reflect":  # the edge element is not repeated: 2 1 | 0 1 2 | 1 0
        if size == 1:
            return np.zeros_like(p)
        q = p % (2 * size - 2)
        return np.where(q < size, q, 2 * size - 2 - q)
    q = p % (2 * size)  # mirror: the edge element is repeated: 1 0 | 0 1 2 | 2 1
    return np.where(q < size, q, 2 * size - 1 - q)


PAD_MODES = ("reflect", "mirror", "cyclic", "replicate")


def _pad_edge_samples(dt):
    T = TensorType
    return [((T(dt, (4,)),), {"config": ((2, 3),), "mode": "reflect"}),
            ((T(dt, (2, 3)),), {"config": ((1, 1), (3, 2)), "mode": "mirror"}),
            ((T(dt, (3, 2)),), {"config": ((4, 0), (1, 2)), "mode": "cyclic"}),
            ((T(dt, (1, 3)),), {"config": ((2, 1), (0, 2)), "mode": "replicate"})]


@composite(samples=_pad_edge_samples)
def pad_edge(tensor, config, mode="reflect"):
    """Pads each axis with the tensor's own elements: one (low, high) pair per axis.

    Modes (numpy's names in brackets): "reflect" mirrors about the edge
    element (reflect: 3 2 | 1 2 3 | 2 1), "mirror" repeats the edge element
    (symmetric: 2 1 | 1 2 3 | 3 2), "cyclic" wraps around (wrap: 2 3 | 1 2 3 |
    1 2), "replicate" repeats the edge (edge: 1 1 | 1 2 3 | 3 3). Padding may
    exceed the axis size (the pattern continues). Names and type are kept.
    """
    t = type_of(tensor)
    if mode not in PAD_MODES:
        raise ArgumentError(f"pad_edge mode must be one of {', '.join(PAD_MODES)}, "
                            f"got {mode!r}")
    if not isinstance(config, (tuple, list)) or len(config) != t.rank:
        raise ShapeError(f"pad_edge config needs one (low, high) pair per axis of {t}, "
                         f"got {config!r}")
    for a, entry in enumerate(config):
        if (not isinstance(entry, (tuple, list)) or len(entry) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                           for v in entry)):
            raise ArgumentError(f"pad_edge config entries are (low, high) ints >= 0, "
                                f"got {entry!r}")
        lo, hi = entry
        if not lo and not hi:
            continue
        size = t.shape[a]
        if isinstance(size, Dim) or size == 0:
            raise ShapeError(f"pad_edge needs a static, non-empty axis {a}, got {t}")
        positions = _edge_positions(mode, size, lo, hi).astype(np.int32)
        tensor = indexed.take(tensor, positions, axis=a)
    return tensor
