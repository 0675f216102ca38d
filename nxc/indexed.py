"""Indexing by tensors: nx.gather, nx.take, nx.take_along_axis, nx.indexed_add,
nx.indexed_put, and slices whose starts are tensors.

gather and the scatters are registry ops (compiler/ir/ops/indexing.py); take
and take_along_axis are compositions over gather, and a slice or put_slice
with tensor starts is a gather or indexed_put over the grid of positions it
covers. Every index given as a tensor is clamped into its axis, as Nx clamps
dynamic indices; a slice's tensor starts are clamped so the slice fits.
"""
from __future__ import annotations

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import Dim, TensorType, axis_index
from nxc.runtime.errors import ArgumentError, DTypeError, ShapeError

from . import api
from ._dispatch import apply
from ._types import type_of
from .composite import composite

__all__ = ["gather", "take", "take_along_axis", "indexed_add", "indexed_put"]


def gather(tensor, indices, axes=None):
    """The slices of `tensor` at `indices`, whose last axis holds one index per axis of `axes`.

    `axes` (sorted) defaults to the leading axes. The result has the axes of
    `indices` but the last, then the axes of `tensor` that are not indexed.
    Indices are clamped into range. The type is tensor's.
    """
    return apply("gather", tensor, indices, axes=axes)


def _scatter(name, tensor, indices, updates, axes):
    it = type_of(indices)
    if it.rank == 1:  # one entry: Nx's shorthand for [indices] and [updates]
        indices = api.new_axis(indices, 0)
        updates = api.new_axis(updates, 0)
    elif it.rank != 2:
        raise ShapeError(f"{name} indices must be a rank 1 or 2 tensor, got {it}")
    return apply(name, tensor, indices, updates, axes=axes)


def indexed_add(tensor, indices, updates, axes=None):
    """`tensor` with `updates` added at `indices` (n index rows, one update each).

    `indices` is (n, k), one row of k indices per update (rank 1 for a single
    update); `axes` (sorted, k of them) are the axes they index, the leading
    ones by default; each update covers the other axes (or a leading part of
    them). Repeated indices add up; indices are clamped into range. The type
    is promote(tensor, updates).
    """
    return _scatter("indexed_add", tensor, indices, updates, axes)


def indexed_put(tensor, indices, updates, axes=None):
    """`tensor` with `updates` written at `indices`; as indexed_add, but writing.

    Of repeated indices the last one (in order) wins.
    """
    return _scatter("indexed_put", tensor, indices, updates, axes)


def _take_samples(dt):
    T = TensorType
    return [((T(dt, (3, 4)), T(dtypes.s64, (2,))), {"axis": 0}),
            ((T(dt, (3, 4)), T(dtypes.s32, (2, 2))), {"axis": 1}),
            ((T(dt, (2, 3, 2)), T(dtypes.u8, ())), {"axis": 1})]


@composite(samples=_take_samples)
def take(tensor, indices, axis=0):
    """The entries of `tensor` at `indices` along `axis` (clamped into range).

    The result's shape is tensor's with `axis` replaced by the shape of
    `indices`; names of the indices' axes come from `indices`.
    """
    t, it = type_of(tensor), type_of(indices)
    _integer("take", it)
    axis = axis_index(t, axis)
    out = gather(tensor, api.new_axis(indices, -1), axes=(axis,))
    # gather puts the indices' axes first: move them to where `axis` was.
    k = it.rank
    perm = list(range(k, k + axis)) + list(range(k)) + list(range(k + axis, k + t.rank - 1))
    if perm != sorted(perm):
        out = api.transpose(out, axes=perm)
    if k == 1 and it.names[0] is None and t.names[axis] is not None:
        # Indices of rank 1 stand for the axis they index, as in Nx: it keeps its name.
        names = list(type_of(out).names)
        names[axis] = t.names[axis]
        out = api.rename(out, names)
    return out


def _take_along_samples(dt):
    T = TensorType
    return [((T(dt, (3, 4)), T(dtypes.s64, (3, 2))), {"axis": 1}),
            ((T(dt, (3, 2)), T(dtypes.s32, (4, 2))), {"axis": 0}),
            ((T(dt, (5,)), T(dtypes.u8, (3,))), {})]


@composite(samples=_take_along_samples)
def take_along_axis(tensor, indices, axis=0):
    """The entries of `tensor` at `indices` along `axis`, position by position.

    `indices` has tensor's rank and its sizes on every other axis; the result
    has the indices' shape, tensor's type and names. Indices are clamped into
    range.
    """
    t, it = type_of(tensor), type_of(indices)
    _integer("take_along_axis", it)
    axis = axis_index(t, axis)
    if it.rank != t.rank:
        raise ShapeError(f"take_along_axis needs indices of the rank of {t} ({t.rank}), "
                         f"got {it}")
    for a in range(t.rank):
        if a != axis and it.shape[a] != t.shape[a]:
            raise ShapeError(f"take_along_axis indices {it} must match {t} on axis {a}")
        if isinstance(it.shape[a], Dim):
            raise ShapeError(f"take_along_axis needs indices of static shape, got {it}")
    idx = api.as_type(indices, dtypes.s64)
    full = [idx if a == axis else api.iota(it.shape, type=dtypes.s64, axis=a)
            for a in range(t.rank)]
    return api.rename(gather(tensor, api.stack(full, axis=-1)), t.names)


def _integer(op, t):
    if not t.dtype.is_int:
        raise DTypeError(f"{op} indices must be an integer tensor, got {t}")


# ---------------------------------------------------------------------------
# Slices with tensor starts
# ---------------------------------------------------------------------------

def is_dynamic(starts) -> bool:
    """Whether some start is a tensor (not a Python int)."""
    return isinstance(starts, (tuple, list)) and any(
        not isinstance(s, int) or isinstance(s, bool) for s in starts)


def _clamped_starts(op, t: TensorType, starts, sizes):
    """Each start as an s64 scalar clamped to [0, axis size - size]."""
    if not isinstance(starts, (tuple, list)) or len(starts) != t.rank:
        raise ShapeError(f"{op} needs one start per axis of {t} ({t.rank}), got {starts!r}")
    out = []
    for a, (s, n) in enumerate(zip(starts, sizes)):
        d = t.shape[a]
        if isinstance(d, Dim) or isinstance(n, Dim):
            raise ShapeError(f"{op} with tensor starts needs static sizes, got axis {a} of {t}")
        if n > d:  # no start fits: as with static starts, an error
            raise ShapeError(f"{op} of {t}: on axis {a} the length {n} exceeds the axis size {d}")
        st = type_of(s)
        if st.rank != 0 or not st.dtype.is_int:
            raise ArgumentError(f"{op} starts must be ints or integer scalar tensors, "
                                f"got {st} for axis {a}")
        out.append(api.clip(api.as_type(s, dtypes.s64), 0, max(d - n, 0)))
    return out


def _grid(starts, counts, steps):
    """s64 (*counts, rank): position k along each axis is start + k * step."""
    shape = tuple(counts)
    cols = []
    for a, (s, step) in enumerate(zip(starts, steps)):
        along = api.iota(shape, type=dtypes.s64, axis=a)
        cols.append(api.add(api.multiply(along, step), s))
    return api.stack(cols, axis=-1)


def dynamic_slice(tensor, starts, lengths, strides=None):
    """slice with tensor starts: each start clamped so that the slice fits."""
    t = type_of(tensor)
    strides = (1,) * t.rank if strides is None else tuple(strides)
    starts = _clamped_starts("slice", t, starts, lengths)
    counts = [-(-n // k) for n, k in zip(lengths, strides)]
    out = gather(tensor, _grid(starts, counts, strides))
    return api.rename(out, t.names)


def dynamic_put_slice(tensor, starts, update):
    """put_slice with tensor starts: each start clamped so that the update fits."""
    t, ut = type_of(tensor), type_of(update)
    if ut.rank != t.rank:
        raise ShapeError(f"put_slice needs an update of the rank of {t} ({t.rank}), got {ut}")
    starts = _clamped_starts("put_slice", t, starts, ut.shape)
    return apply("indexed_put", tensor, _grid(starts, ut.shape, (1,) * t.rank), update)
