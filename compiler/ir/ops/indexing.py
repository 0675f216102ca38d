"""Indexing by tensors: gather, and the scatters indexed_add and indexed_put.

The last axis of `indices` holds one index per axis of `axes` (sorted, by
default the leading axes after the batch axes). Every index is clamped into
its axis, as Nx clamps dynamic indices: below 0 reads or writes position 0,
past the end the last position. Clamping makes the three ops total, and makes
gather and indexed_add exact gradients of each other.

`batch_dims` (an IR attribute the batching pass sets; Nx has no such option)
pairs the first `batch_dims` axes of the tensor, the indices and the updates:
entry b of the indices indexes entry b of the tensor only. Every other axis
of the indices before the last one is an index position.

- gather(tensor, indices): one slice per index position; the result has the
  batch axes, the index positions, then the tensor's axes that are not indexed.
- indexed_add / indexed_put(tensor, indices, updates): the updates hold, per
  index position, a window over the non-indexed axes (at most as large as
  them, written from their start); indexed_add adds it, indexed_put writes it
  over. Positions are taken in row-major order, so when indices repeat,
  indexed_put keeps the last update (Nx leaves that order unspecified).

An indexed axis may not be empty; a symbolic one that is empty at run time
gathers zeros and takes no writes (compiled code cannot raise).
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, DTypeError, ShapeError

from .. import dtypes
from ..registry import register
from ..types import Dim, TensorType, axes_indices, merge_name
from .cast import convert


def _canon(op, types, attrs):
    x, indices = types[0], types[1]
    if not indices.dtype.is_int:
        raise DTypeError(f"{op} indices must be an integer tensor, got {indices}")
    nb = attrs["batch_dims"]
    if not isinstance(nb, int) or isinstance(nb, bool) or nb < 0:
        raise ArgumentError(f"{op} batch_dims must be an int >= 0, got {nb!r}")
    if indices.rank < nb + 1:
        raise ShapeError(f"{op} indices {indices} need an axis of indices (the last one)")
    k = indices.shape[-1]
    if isinstance(k, Dim):
        raise ShapeError(f"{op} indices {indices}: the last axis (one index per indexed axis) "
                         f"must have a static size")
    axes = attrs["axes"]
    if axes is None:
        axes = tuple(range(nb, nb + k))
    else:
        axes = axes_indices(x, axes)
        if list(axes) != sorted(axes):
            raise ShapeError(f"{op} axes must be an ordered list, got {list(attrs['axes'])}")
    if len(axes) != k:
        raise ShapeError(f"{op} axes {list(axes)} must have as many entries as the last axis "
                         f"of the indices {indices} ({k})")
    if any(a < nb for a in axes) or any(a >= x.rank for a in axes):
        raise ShapeError(f"{op} axes {list(axes)} must be axes of {x} after its "
                         f"{nb} batch axes")
    for a in axes:
        if x.shape[a] == 0:
            raise ShapeError(f"{op} cannot index axis {a} of {x}: it is empty")
    for i in range(nb):
        if x.shape[i] != indices.shape[i]:
            raise ShapeError(f"{op} batch axis {i} differs between {x} and the indices "
                             f"{indices}")
    return {"axes": tuple(axes), "batch_dims": nb}


def _window_axes(x: TensorType, axes, nb):
    """The axes of x that each index position takes whole (not batch, not indexed)."""
    return [i for i in range(nb, x.rank) if i not in axes]


def clamp_indices(indices, sizes):
    """int64 indices with the last axis clamped into `sizes` (one size per entry)."""
    hi = np.array(sizes, dtype=np.int64) - 1
    if indices.dtype.kind == "u":
        return np.minimum(indices.astype(np.uint64), hi.astype(np.uint64)).astype(np.int64)
    return np.clip(indices.astype(np.int64), 0, hi)


def _entries(nb, x, indices, *rest):
    """(x, indices, *rest) of each batch entry, in row-major order."""
    for b in np.ndindex(x.shape[:nb]):
        yield b, (x[b], indices[b], *(r[b] for r in rest))


# ---------------------------------------------------------------------------
# gather
# ---------------------------------------------------------------------------

def _gather_one(x, indices, axes):
    idx = clamp_indices(indices, [x.shape[a] for a in axes])
    moved = np.moveaxis(x, axes, range(len(axes)))
    return moved[tuple(idx[..., j] for j in range(len(axes)))]


def _gather_ref(x, indices, *, axes, batch_dims):
    nb = batch_dims
    if any(x.shape[a] == 0 for a in axes):  # a symbolic axis, empty at run time
        window = tuple(x.shape[i] for i in range(nb, x.ndim) if i not in axes)
        return np.zeros(x.shape[:nb] + indices.shape[nb:-1] + window, x.dtype)
    if nb == 0:
        return np.array(_gather_one(x, indices, axes), order="C")
    out = None
    for b, (xe, ie) in _entries(nb, x, indices):
        r = _gather_one(xe, ie, tuple(a - nb for a in axes))
        if out is None:
            out = np.empty(x.shape[:nb] + r.shape, dtype=x.dtype)
        out[b] = r
    if out is None:  # no batch entries
        shape = indices.shape[:-1] + tuple(x.shape[i] for i in range(nb, x.ndim) if i not in axes)
        out = np.empty(shape, dtype=x.dtype)
    return out


def _gather_samples(dt):
    T = TensorType
    return [([T(dt, (3, 4)), T(dtypes.s64, (2, 2))], {}),
            ([T(dt, (3, 4)), T(dtypes.s32, (2, 3, 1))], {"axes": (1,)}),
            ([T(dt, (2, 3, 2), ("a", None, "c")), T(dtypes.u8, (4, 1), ("i", None))],
             {"axes": (1,)}),
            ([T(dt, (2, 3, 4)), T(dtypes.s16, (2, 5, 2))], {"axes": (1, 2), "batch_dims": 1}),
            ([T(dt, (4,)), T(dtypes.s64, (0, 1))], {})]


@register("gather", ref=_gather_ref, attrs={"axes": None, "batch_dims": 0}, arity=2,
          canon=lambda types, attrs: _canon("gather", types, attrs), samples=_gather_samples,
          typed_operands=(0,))
def gather(x, indices, *, axes, batch_dims):
    """Slices of `x` at the positions `indices` holds on `axes`, indices clamped into range.

    The result has the batch axes, the indices' axes but the last, then x's
    axes that are not indexed; its type is x's. Names come from the indices
    for their axes and from x for the rest.
    """
    nb = batch_dims
    window = _window_axes(x, axes, nb)
    names = tuple(merge_name(x.names[i], indices.names[i], i) for i in range(nb))
    shape = tuple(x.shape[:nb]) + tuple(indices.shape[nb:-1]) + tuple(x.shape[i] for i in window)
    names += tuple(indices.names[nb:-1]) + tuple(x.names[i] for i in window)
    return TensorType(x.dtype, shape, names)


# ---------------------------------------------------------------------------
# indexed_add, indexed_put
# ---------------------------------------------------------------------------

def _scatter_one(out, indices, updates, axes, how):
    idx = clamp_indices(indices, [out.shape[a] for a in axes])
    moved = np.moveaxis(out, axes, range(len(axes)))  # a view: writes land in `out`
    window = updates.shape[indices.ndim - 1:]
    for p in np.ndindex(indices.shape[:-1]):
        at = tuple(int(v) for v in idx[p]) + tuple(slice(0, w) for w in window)
        if how == "add":
            moved[at] = moved[at] + updates[p]
        else:
            moved[at] = updates[p]


def _scatter_ref(how):
    def ref(x, indices, updates, *, axes, batch_dims):
        nb = batch_dims
        t = dtypes.promote(dtypes.from_numpy(x.dtype), dtypes.from_numpy(updates.dtype))
        out = np.array(convert(x, t), copy=True)
        updates = convert(updates, t)
        if any(x.shape[a] == 0 for a in axes):  # nowhere to write
            return out
        with np.errstate(all="ignore"):
            for b, (oe, ie, ue) in _entries(nb, out, indices, updates):
                _scatter_one(oe, ie, ue, tuple(a - nb for a in axes), how)
        return out
    return ref


def _scatter_samples(dt):
    T = TensorType
    return [([T(dt, (4,)), T(dtypes.s64, (3, 1)), T(dt, (3,))], {}),
            ([T(dt, (3, 4)), T(dtypes.s32, (5, 2)), T(dt, (5,))], {}),
            ([T(dt, (3, 4), ("r", "c")), T(dtypes.u8, (2, 1)), T(dt, (2, 3))], {"axes": (0,)}),
            ([T(dt, (2, 3, 4)), T(dtypes.s64, (2, 2, 1)), T(dt, (2, 2, 4))],
             {"axes": (1,), "batch_dims": 1}),
            ([T(dt, (3,)), T(dtypes.s64, (0, 1)), T(dt, (0,))], {})]


def _scatter_type(op):
    def infer(x, indices, updates, *, axes, batch_dims):
        nb = batch_dims
        window = _window_axes(x, axes, nb)
        lead = indices.rank - 1
        if updates.rank != lead + len(window):
            raise ShapeError(f"{op} updates {updates} must have the indices' axes but the last "
                             f"({lead}) and one axis per non-indexed axis of {x} "
                             f"({len(window)})")
        for i in range(lead):
            if updates.shape[i] != indices.shape[i]:
                raise ShapeError(f"{op}: axis {i} of the updates {updates} must match axis {i} "
                                 f"of the indices {indices}")
        for j, a in enumerate(window):
            u, d = updates.shape[lead + j], x.shape[a]
            symbolic = isinstance(u, Dim) or isinstance(d, Dim)
            if (symbolic and u != d) or (not symbolic and u > d):
                raise ShapeError(f"{op}: axis {lead + j} of the updates {updates} must be at "
                                 f"most the size of axis {a} of {x}")
        return TensorType(dtypes.promote(x.dtype, updates.dtype), x.shape, x.names)
    return infer


_SCATTER_DOC = """`x` with each window of `updates` {verb} at the position its index gives
    on `axes` (indices clamped into range).

    The type is promote(x, updates), the shape and names x's. {extra}"""

for _name, _how, _verb, _extra in (
        ("indexed_add", "add", "added", "Repeated indices add up."),
        ("indexed_put", "put", "written",
         "Of repeated indices, the last in row-major order wins.")):
    _rule = _scatter_type(_name)
    _rule.__doc__ = _SCATTER_DOC.format(verb=_verb, extra=_extra)
    register(_name, ref=_scatter_ref(_how), attrs={"axes": None, "batch_dims": 0}, arity=3,
             canon=lambda types, attrs, _n=_name: _canon(_n, types, attrs),
             samples=_scatter_samples, typed_operands=(0, 2))(_rule)
