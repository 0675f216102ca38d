"""Shape ops: reshape, transpose, broadcast, squeeze, new_axis, slice, put_slice,
concatenate, stack, pad.

Every option is static. Axes become non-negative ints, lists become tuples. A
symbolic dimension (`Dim`) may flow through these ops where its size need not be
known to type the result; the reference reads the run-time sizes of symbolic
dimensions from `symbolic_sizes`, which the interpreter binds from a function's
arguments.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections import Counter

import numpy as np

from nxc.runtime.errors import ArgumentError, AxisNameError, ShapeError

from .. import dtypes
from ..registry import REQUIRED, register
from ..types import Dim, TensorType, axes_indices, axis_index, merge_name
from .cast import convert

# ---------------------------------------------------------------------------
# Run-time sizes of symbolic dimensions
# ---------------------------------------------------------------------------

_SIZES: contextvars.ContextVar[dict] = contextvars.ContextVar("nxc_symbolic_sizes", default={})


@contextlib.contextmanager
def symbolic_sizes(sizes: dict):
    """Within this block, `Dim(name)` has run-time size `sizes[name]`."""
    token = _SIZES.set(dict(sizes))
    try:
        yield
    finally:
        _SIZES.reset(token)


def concrete(shape, op) -> tuple:
    """`shape` with each symbolic dimension replaced by its bound run-time size."""
    sizes = _SIZES.get()
    out = []
    for d in shape:
        if isinstance(d, Dim):
            if d.name not in sizes:
                raise ShapeError(f"{op}: symbolic dimension {d} has no run-time size bound")
            d = sizes[d.name]
        out.append(d)
    return tuple(out)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def fmt_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _ints(op, what, values, count=None, minimum=None):
    """A tuple of Python ints, checked for length and lower bound."""
    if _is_int(values):
        values = (values,)
    if not isinstance(values, (tuple, list)) or not all(_is_int(v) for v in values):
        raise ArgumentError(f"{op} option {what} must be a tuple of ints, got {values!r}")
    values = tuple(int(v) for v in values)
    if count is not None and len(values) != count:
        raise ShapeError(f"{op} option {what} needs {count} entries (one per axis), "
                         f"got {len(values)}: {values}")
    if minimum is not None and any(v < minimum for v in values):
        raise ShapeError(f"{op} option {what} entries must be >= {minimum}, got {values}")
    return values


def _shape_attr(op, shape, allow_auto=False):
    if _is_int(shape) or isinstance(shape, Dim):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise ArgumentError(f"{op} shape must be a tuple of sizes, got {shape!r}")
    low = -1 if allow_auto else 0
    out = []
    for d in shape:
        if isinstance(d, Dim):
            out.append(d)
        elif _is_int(d) and int(d) >= low:
            out.append(int(d))
        else:
            extra = ", -1" if allow_auto else ""
            raise ShapeError(f"{op} shape entries must be sizes >= 0{extra} or symbolic "
                             f"dimensions, got {d!r} in {fmt_shape(shape)}")
    return tuple(out)


def _names_attr(op, names, rank):
    """None or a tuple of one name (str or None) per axis; all None is None."""
    if names is None:
        return None
    names = tuple(names)
    if len(names) != rank:
        raise AxisNameError(f"{op} needs {rank} axis names, got {len(names)}: {list(names)}")
    for n in names:
        if n is not None and not isinstance(n, str):
            raise AxisNameError(f"axis names must be strings or None, got {n!r}")
    return None if all(n is None for n in names) else names


def _name_attr(op, name):
    if name is not None and not isinstance(name, str):
        raise AxisNameError(f"{op} name must be a string or None, got {name!r}")
    return name


def _new_axis_index(op, t: TensorType, axis):
    """An axis of the result of inserting one axis into `t` (negative counts from its end)."""
    if not _is_int(axis):
        raise ArgumentError(f"{op} axis must be an int, got {axis!r}")
    r = t.rank + 1
    if not -r <= axis < r:
        raise ShapeError(f"{op} axis {axis} is out of range for a new axis of {t} "
                         f"(expected {-r} to {r - 1})")
    return int(axis) % r


def _count(shape):
    """The element count as text: the static product, times any symbolic dimensions."""
    n = 1
    for d in shape:
        if isinstance(d, int):
            n *= d
    syms = [str(d) for d in shape if isinstance(d, Dim)]
    return "*".join(([str(n)] if n != 1 or not syms else []) + syms)


def _dtype(a):
    return dtypes.from_numpy(a.dtype)


# ---------------------------------------------------------------------------
# reshape
# ---------------------------------------------------------------------------

def _canon_reshape(types, attrs):
    (x,) = types
    shape = _shape_attr("reshape", attrs["shape"], allow_auto=True)
    if shape.count(-1) > 1:
        raise ShapeError(f"reshape shape {fmt_shape(shape)} has more than one -1 entry")
    if Counter(d for d in shape if isinstance(d, Dim)) != Counter(
            d for d in x.shape if isinstance(d, Dim)):
        raise ShapeError(f"cannot reshape {x} to {fmt_shape(shape)}: the new shape must "
                         f"hold the same symbolic dimensions as the input")
    n_in = int(np.prod([d for d in x.shape if isinstance(d, int)], dtype=np.int64))
    n_out = int(np.prod([d for d in shape if isinstance(d, int) and d != -1], dtype=np.int64))
    if -1 in shape:
        if n_out == 0 or n_in % n_out:
            raise ShapeError(f"cannot reshape {x} ({_count(x.shape)} elements) to "
                             f"{fmt_shape(shape)}: no size for the -1 entry gives as many elements")
        shape = tuple(n_in // n_out if d == -1 else d for d in shape)
    elif n_in != n_out:
        raise ShapeError(f"cannot reshape {x} ({_count(x.shape)} elements) to "
                         f"{fmt_shape(shape)} ({_count(shape)} elements)")
    return {"shape": shape, "names": _names_attr("reshape", attrs["names"], len(shape))}


def _reshape_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3))], {"shape": (3, 2)}),
            ([T(dt, (2, 3, 4))], {"shape": (-1, 4)}),
            ([T(dt, (6,))], {"shape": (2, 1, 3), "names": ("a", None, "b")}),
            ([T(dt, ())], {"shape": (1, 1)}),
            ([T(dt, (0, 3))], {"shape": (3, 0)})]


@register("reshape", ref=lambda x, *, shape, names: x.reshape(concrete(shape, "reshape")),
          attrs={"shape": REQUIRED, "names": None}, canon=_canon_reshape,
          samples=_reshape_samples)
def reshape(x, *, shape, names):
    """The same elements in row-major order with a new shape; one -1 entry is inferred.

    Names are cleared unless `names` is given. Symbolic dimensions of the input
    must appear in the new shape too.
    """
    return TensorType(x.dtype, shape, names)


# ---------------------------------------------------------------------------
# transpose
# ---------------------------------------------------------------------------

def _canon_transpose(types, attrs):
    (x,) = types
    axes = attrs["axes"]
    if axes is None:
        return {"axes": tuple(reversed(range(x.rank)))}
    axes = axes_indices(x, axes)
    if len(axes) != x.rank:
        raise ShapeError(f"transpose axes {axes} must be a permutation of the {x.rank} "
                         f"axes of {x}")
    return {"axes": axes}


def _transpose_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3))], {}),
            ([T(dt, (2, 3, 4))], {"axes": (1, 2, 0)}),
            ([T(dt, (2, 0, 3))], {"axes": (-1, 0, 1)}),
            ([T(dt, ())], {})]


@register("transpose", ref=lambda x, *, axes: np.transpose(x, axes), attrs={"axes": None},
          canon=_canon_transpose, samples=_transpose_samples)
def transpose(x, *, axes):
    """Permutes the axes (reverses them by default); names follow their axes."""
    return TensorType(x.dtype, tuple(x.shape[a] for a in axes), tuple(x.names[a] for a in axes))


# ---------------------------------------------------------------------------
# broadcast
# ---------------------------------------------------------------------------

def _canon_broadcast(types, attrs):
    (x,) = types
    shape = _shape_attr("broadcast", attrs["shape"])
    r = len(shape)
    axes = attrs["axes"]
    if axes is None:
        if x.rank > r:
            raise ShapeError(f"cannot broadcast {x} to {fmt_shape(shape)}: "
                             f"the target shape has fewer axes")
        axes = tuple(range(r - x.rank, r))
    else:
        axes = _ints("broadcast", "axes", axes)
        if len(axes) != x.rank:
            raise ShapeError(f"broadcast axes {axes} must map each of the {x.rank} axes "
                             f"of {x} to an axis of {fmt_shape(shape)}")
        for a in axes:
            if not -r <= a < r:
                raise ShapeError(f"broadcast axis {a} is out of range for the shape "
                                 f"{fmt_shape(shape)} of rank {r}")
        axes = tuple(a % r for a in axes)
        if any(b <= a for a, b in zip(axes, axes[1:])):
            raise ShapeError(f"broadcast axes must be increasing, got {axes}")
    return {"shape": shape, "axes": axes,
            "names": _names_attr("broadcast", attrs["names"], r)}


def _broadcast_ref(x, *, shape, axes, names):
    out = concrete(shape, "broadcast")
    view = [1] * len(out)
    for j, a in enumerate(axes):
        view[a] = x.shape[j]
    return np.array(np.broadcast_to(x.reshape(view), out), order="C")  # ascontiguousarray makes 0-d 1-d


def _broadcast_samples(dt):
    T = TensorType
    return [([T(dt, (3,))], {"shape": (2, 3)}),
            ([T(dt, (2, 1))], {"shape": (2, 4, 3), "axes": (0, 2)}),
            ([T(dt, ())], {"shape": (2, 2), "names": ("x", "y")}),
            ([T(dt, (1, 3))], {"shape": (0, 3)})]


@register("broadcast", ref=_broadcast_ref, attrs={"shape": REQUIRED, "axes": None, "names": None},
          canon=_canon_broadcast, samples=_broadcast_samples)
def broadcast(x, *, shape, axes, names):
    """Broadcasts `x` to `shape`; input axis i becomes output axis `axes[i]`.

    `axes` defaults to the last axes of the shape (right-aligned) and must be
    increasing; each input dimension is 1 or equal to its output dimension. Names
    come from `names`, else from the input on its mapped axes.
    """
    for j, a in enumerate(axes):
        d = x.shape[j]
        if d != 1 and d != shape[a]:
            raise ShapeError(f"cannot broadcast {x} to {fmt_shape(shape)}: axis {j} has size "
                             f"{d} and maps to axis {a} of size {shape[a]}; it must be 1 or "
                             f"{shape[a]}")
    if names is None:
        out_names = [None] * len(shape)
        for j, a in enumerate(axes):
            out_names[a] = x.names[j]
        names = tuple(out_names)
    return TensorType(x.dtype, shape, names)


# ---------------------------------------------------------------------------
# squeeze, new_axis
# ---------------------------------------------------------------------------

def _canon_squeeze(types, attrs):
    (x,) = types
    axes = attrs["axes"]
    if axes is None:
        return {"axes": tuple(i for i, d in enumerate(x.shape) if d == 1)}
    axes = tuple(sorted(axes_indices(x, axes)))
    for a in axes:
        if x.shape[a] != 1:
            raise ShapeError(f"cannot squeeze axis {a} of {x}: its size is {x.shape[a]}, not 1")
    return {"axes": axes}


def _squeeze_samples(dt):
    T = TensorType
    return [([T(dt, (1, 3, 1))], {}),
            ([T(dt, (1, 3, 1))], {"axes": (-1,)}),
            ([T(dt, (1,))], {}),
            ([T(dt, (0, 1))], {"axes": (1,)})]


@register("squeeze", ref=lambda x, *, axes: np.squeeze(x, axis=axes), attrs={"axes": None},
          canon=_canon_squeeze, samples=_squeeze_samples)
def squeeze(x, *, axes):
    """Removes size-1 axes: the given ones, or every one whose size is statically 1."""
    keep = [i for i in range(x.rank) if i not in axes]
    return TensorType(x.dtype, tuple(x.shape[i] for i in keep), tuple(x.names[i] for i in keep))


def _canon_new_axis(types, attrs):
    (x,) = types
    return {"axis": _new_axis_index("new_axis", x, attrs["axis"]),
            "name": _name_attr("new_axis", attrs["name"])}


def _new_axis_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3))], {"axis": 0}),
            ([T(dt, (2, 3))], {"axis": -1, "name": "n"}),
            ([T(dt, ())], {"axis": 0})]


@register("new_axis", ref=lambda x, *, axis, name: np.expand_dims(x, axis),
          attrs={"axis": REQUIRED, "name": None}, canon=_canon_new_axis,
          samples=_new_axis_samples)
def new_axis(x, *, axis, name):
    """Inserts an axis of size 1 at `axis` (negative counts from the end of the result)."""
    return TensorType(x.dtype, x.shape[:axis] + (1,) + x.shape[axis:],
                      x.names[:axis] + (name,) + x.names[axis:])


# ---------------------------------------------------------------------------
# slice, put_slice
# ---------------------------------------------------------------------------

def _canon_slice(types, attrs):
    (x,) = types
    starts = _ints("slice", "start_indices", attrs["start_indices"], x.rank, minimum=0)
    raw = attrs["lengths"]
    if not isinstance(raw, (tuple, list)) or len(raw) != x.rank:
        raise ShapeError(f"slice option lengths needs {x.rank} entries (one per axis), "
                         f"got {raw!r}")
    lengths = tuple(d if isinstance(d, Dim) else _ints("slice", "lengths", d, minimum=0)[0]
                    for d in raw)
    strides = attrs["strides"]
    strides = (1,) * x.rank if strides is None else _ints("slice", "strides", strides, x.rank,
                                                          minimum=1)
    for i, (d, s, n, k) in enumerate(zip(x.shape, starts, lengths, strides)):
        if isinstance(n, Dim):
            # A symbolic length can only be the whole of its symbolic axis.
            if not (n == d and s == 0 and k == 1):
                raise ShapeError(f"slice of {x}: the symbolic length {n} on axis {i} must be "
                                 f"the whole axis (start 0, stride 1, axis size {n})")
        elif isinstance(d, int) and n > d:
            raise ShapeError(f"slice of {x}: on axis {i} the length {n} exceeds the axis "
                             f"size {d}")
    # As in Nx, a start clamps so that the slice fits.
    starts = tuple(min(s, d - n) if isinstance(d, int) and isinstance(n, int) else s
                   for s, d, n in zip(starts, x.shape, lengths))
    return {"start_indices": starts, "lengths": lengths, "strides": strides}


def _slice_ref(x, *, start_indices, lengths, strides):
    index = []
    for i, (d, s, n, k) in enumerate(zip(x.shape, start_indices, lengths, strides)):
        n = d if isinstance(n, Dim) else n
        if n > d:
            raise ShapeError(f"slice: length {n} on axis {i} exceeds the run-time size {d}")
        s = min(s, d - n)  # only moves on symbolic axes, where starts clamp as in Nx
        index.append(slice(s, s + n, k))
    return x[tuple(index)]


def _slice_samples(dt):
    T = TensorType
    return [([T(dt, (4, 5))], {"start_indices": (1, 0), "lengths": (2, 5)}),
            ([T(dt, (7,))], {"start_indices": (1,), "lengths": (6,), "strides": (2,)}),
            ([T(dt, (3, 4))], {"start_indices": (0, 1), "lengths": (3, 0)}),
            ([T(dt, ())], {"start_indices": (), "lengths": ()})]


@register("slice", ref=_slice_ref, attrs={"start_indices": REQUIRED, "lengths": REQUIRED,
                                          "strides": None},
          canon=_canon_slice, samples=_slice_samples)
def slice_(x, *, start_indices, lengths, strides):
    """Takes `lengths[i]` elements from `start_indices[i]` every `strides[i]` on each axis.

    Each output dimension is ceil(length / stride); a length must fit in its
    axis, and a start past size - length moves back to it (Nx clamps); names
    are kept.
    """
    shape = tuple(n if isinstance(n, Dim) else -(-n // k) for n, k in zip(lengths, strides))
    return TensorType(x.dtype, shape, x.names)


def _canon_put_slice(types, attrs):
    x, _ = types
    return {"start_indices": _ints("put_slice", "start_indices", attrs["start_indices"], x.rank)}


def _put_slice_ref(x, update, *, start_indices):
    out_t = dtypes.promote(_dtype(x), _dtype(update))
    out = np.array(convert(x, out_t), copy=True)
    index = []
    for d, u, s in zip(x.shape, update.shape, start_indices):
        s = max(0, min(s, d - u))  # Nx clamps the start so the update fits
        index.append(slice(s, s + u))
    out[tuple(index)] = convert(update, out_t)
    return out


def _put_slice_samples(dt):
    T = TensorType
    return [([T(dt, (4, 5)), T(dt, (2, 3))], {"start_indices": (1, 1)}),
            ([T(dt, (5,)), T(dt, (2,))], {"start_indices": (4,)}),
            ([T(dt, (3, 3)), T(dt, (1, 3))], {"start_indices": (-2, 0)}),
            ([T(dt, (2, 0)), T(dt, (1, 0))], {"start_indices": (0, 0)}),
            ([T(dt, ()), T(dt, ())], {"start_indices": ()})]


@register("put_slice", ref=_put_slice_ref, attrs={"start_indices": REQUIRED}, arity=2,
          canon=_canon_put_slice, samples=_put_slice_samples)
def put_slice(x, update, *, start_indices):
    """`x` with `update` written at `start_indices`, each start clamped so the update fits.

    The type is promote(x, update) with x's shape; names merge axis by axis.
    """
    if update.rank != x.rank:
        raise ShapeError(f"put_slice needs an update of the rank of {x} ({x.rank}), "
                         f"got {update}")
    names = []
    for i, (d, u) in enumerate(zip(x.shape, update.shape)):
        symbolic = isinstance(d, Dim) or isinstance(u, Dim)
        if (symbolic and d != u) or (not symbolic and u > d):
            raise ShapeError(f"put_slice update {update} does not fit in {x}: "
                             f"axis {i} has size {u}, more than {d}")
        names.append(merge_name(x.names[i], update.names[i], i))
    return TensorType(dtypes.promote(x.dtype, update.dtype), x.shape, tuple(names))


# ---------------------------------------------------------------------------
# concatenate, stack
# ---------------------------------------------------------------------------

def _canon_concatenate(types, attrs):
    if types[0].rank == 0:
        raise ShapeError(f"cannot concatenate scalars ({types[0]}); use stack")
    return {"axis": axis_index(types[0], attrs["axis"])}


def _concatenate_ref(*xs, axis):
    out_t = dtypes.promote_all([_dtype(x) for x in xs])
    return np.concatenate([convert(x, out_t) for x in xs], axis=axis)


def _variadic_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3)), T(dt, (1, 3))], {"axis": 0}),
            ([T(dt, (2, 1)), T(dt, (2, 2)), T(dt, (2, 0))], {"axis": -1}),
            ([T(dt, (3,))], {})]


@register("concatenate", ref=_concatenate_ref, attrs={"axis": 0}, arity=None,
          canon=_canon_concatenate, samples=_variadic_samples)
def concatenate(*xs, axis):
    """Joins tensors along an existing axis; other dimensions must be equal.

    The type is the promotion of all operands; names merge axis by axis.
    """
    first = xs[0]
    shape, names = list(first.shape), list(first.names)
    for t in xs[1:]:
        if t.rank != first.rank:
            raise ShapeError(f"cannot concatenate {first} and {t}: ranks differ "
                             f"({first.rank} vs {t.rank})")
        for i, d in enumerate(t.shape):
            if i == axis:
                if isinstance(d, Dim) or isinstance(shape[i], Dim):
                    raise ShapeError(f"cannot concatenate {first} and {t} along the "
                                     f"symbolic axis {i}")
                shape[i] += d
            elif d != shape[i]:
                raise ShapeError(f"cannot concatenate {first} and {t} on axis {axis}: "
                                 f"axis {i} differs ({shape[i]} vs {d})")
            names[i] = merge_name(names[i], t.names[i], i)
    return TensorType(dtypes.promote_all([t.dtype for t in xs]), tuple(shape), tuple(names))


def _canon_stack(types, attrs):
    return {"axis": _new_axis_index("stack", types[0], attrs["axis"]),
            "name": _name_attr("stack", attrs["name"])}


def _stack_ref(*xs, axis, name):
    out_t = dtypes.promote_all([_dtype(x) for x in xs])
    return np.stack([convert(x, out_t) for x in xs], axis=axis)


def _stack_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3)), T(dt, (2, 3))], {"axis": 0}),
            ([T(dt, (2,)), T(dt, (2,)), T(dt, (2,))], {"axis": -1, "name": "k"}),
            ([T(dt, ()), T(dt, ())], {})]


@register("stack", ref=_stack_ref, attrs={"axis": 0, "name": None}, arity=None,
          canon=_canon_stack, samples=_stack_samples)
def stack(*xs, axis, name):
    """Joins tensors of equal shape along a new axis `axis` named `name`."""
    first = xs[0]
    names = list(first.names)
    for t in xs[1:]:
        if t.shape != first.shape:
            raise ShapeError(f"cannot stack {first} and {t}: shapes differ")
        names = [merge_name(a, b, i) for i, (a, b) in enumerate(zip(names, t.names))]
    return TensorType(dtypes.promote_all([t.dtype for t in xs]),
                      first.shape[:axis] + (len(xs),) + first.shape[axis:],
                      tuple(names[:axis]) + (name,) + tuple(names[axis:]))


# ---------------------------------------------------------------------------
# pad
# ---------------------------------------------------------------------------

def _canon_pad(types, attrs):
    x, _ = types
    config = attrs["config"]
    if not isinstance(config, (tuple, list)) or len(config) != x.rank:
        raise ShapeError(f"pad config needs one (low, high, interior) entry per axis of {x} "
                         f"({x.rank}), got {config!r}")
    out = []
    for entry in config:
        if not isinstance(entry, (tuple, list)) or len(entry) != 3:
            raise ArgumentError(f"pad config entries are (low, high, interior), got {entry!r}")
        lo, hi, interior = _ints("pad", "config", entry)
        if interior < 0:
            raise ShapeError(f"pad interior padding must be >= 0, got {interior} in {entry!r}")
        out.append((lo, hi, interior))
    return {"config": tuple(out)}


def _padded(d, lo, hi, interior):
    return lo + hi + d + max(d - 1, 0) * interior


def _pad_ref(x, pad_value, *, config):
    out_t = dtypes.promote(_dtype(x), _dtype(pad_value))
    x, v = convert(x, out_t), convert(pad_value, out_t)
    # Interior and positive edge padding first, then negative edges crop.
    grown = tuple(_padded(d, max(lo, 0), max(hi, 0), i) for d, (lo, hi, i) in zip(x.shape, config))
    buf = np.full(grown, v, dtype=out_t.numpy)
    buf[tuple(slice(max(lo, 0), max(lo, 0) + _padded(d, 0, 0, i), i + 1)
              for d, (lo, _, i) in zip(x.shape, config))] = x
    return buf[tuple(slice(-min(lo, 0), n + min(hi, 0))
                     for n, (lo, hi, _) in zip(grown, config))]


def _pad_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3)), T(dt, ())], {"config": ((1, 0, 0), (0, 2, 1))}),
            ([T(dt, (5,)), T(dt, ())], {"config": ((-2, 1, 0),)}),
            ([T(dt, (3, 2)), T(dt, ())], {"config": ((-1, -1, 2), (1, 1, 0))}),
            ([T(dt, (0,)), T(dt, ())], {"config": ((1, 1, 3),)}),
            ([T(dt, ()), T(dt, ())], {"config": ()})]


@register("pad", ref=_pad_ref, attrs={"config": REQUIRED}, arity=2, canon=_canon_pad,
          samples=_pad_samples)
def pad(x, pad_value, *, config):
    """Pads each axis with `pad_value`: (low, high, interior) elements per axis.

    Negative low/high crop; interior padding goes between elements. Each output
    dimension is low + high + d + max(d - 1, 0) * interior. The type is
    promote(x, pad_value); names are kept.
    """
    if pad_value.rank != 0:
        raise ShapeError(f"pad value must be a scalar, got {pad_value}")
    shape = []
    for i, (d, (lo, hi, interior)) in enumerate(zip(x.shape, config)):
        if isinstance(d, Dim):
            if (lo, hi, interior) != (0, 0, 0):
                raise ShapeError(f"cannot pad the symbolic axis {i} of {x}")
            shape.append(d)
            continue
        n = _padded(d, lo, hi, interior)
        if n < 0:
            raise ShapeError(f"pad config {(lo, hi, interior)} crops axis {i} of {x} "
                             f"below zero elements ({n})")
        shape.append(n)
    return TensorType(dtypes.promote(x.dtype, pad_value.dtype), tuple(shape), x.names)


# ---------------------------------------------------------------------------
# reverse
# ---------------------------------------------------------------------------

def _canon_reverse(types, attrs):
    (x,) = types
    return {"axes": tuple(sorted(axes_indices(x, attrs["axes"])))}


def _reverse_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3))], {}),
            ([T(dt, (2, 3, 4), ("a", None, "c"))], {"axes": (-1,)}),
            ([T(dt, (3, 2))], {"axes": (0,)}),
            ([T(dt, ())], {}),
            ([T(dt, (0, 2))], {"axes": (1,)})]


@register("reverse", ref=lambda x, *, axes: np.array(np.flip(x, axes), order="C"),
          attrs={"axes": None}, canon=_canon_reverse, samples=_reverse_samples)
def reverse(x, *, axes):
    """Reverses the order of the elements along `axes` (all axes by default); names kept."""
    return x
