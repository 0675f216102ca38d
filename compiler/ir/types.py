"""Tensor types: a dtype, a shape of static or symbolic dimensions, and axis names.

Shape entries are `int` or `Dim` (a symbolic size; the same name means the same
size). Names are a tuple of `str | None`, one per axis, and follow Nx: broadcasting
merges names pairwise from the right, reductions drop reduced names, transpose
permutes them, reshape clears them.
"""
from __future__ import annotations

from dataclasses import dataclass

from nxc.runtime.errors import ArgumentError, AxisNameError, ShapeError

from . import dtypes
from .dtypes import DType


@dataclass(frozen=True)
class Dim:
    """A symbolic dimension, known by name until run time."""

    name: str

    def __repr__(self):
        return f"?{self.name}"

    __str__ = __repr__


def _fmt_dim(d):
    return str(d)


@dataclass(frozen=True)
class TensorType:
    dtype: DType
    shape: tuple = ()
    names: tuple = None

    def __post_init__(self):
        shape = tuple(self.shape)
        for d in shape:
            if isinstance(d, bool) or not isinstance(d, (int, Dim)):
                raise ShapeError(f"shape entries must be ints or symbolic dims, got {d!r}")
            if isinstance(d, int) and d < 0:
                raise ShapeError(f"negative dimension {d} in shape {shape}")
        names = tuple(self.names) if self.names is not None else (None,) * len(shape)
        if len(names) != len(shape):
            raise AxisNameError(
                f"expected {len(shape)} axis names for shape {_shape_str(shape)}, got {len(names)}: {list(names)}")
        for n in names:
            if n is not None and not isinstance(n, str):
                raise AxisNameError(f"axis names must be strings or None, got {n!r}")
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "names", names)

    @property
    def rank(self):
        return len(self.shape)

    @property
    def is_static(self):
        return all(isinstance(d, int) for d in self.shape)

    @property
    def size(self):
        """Number of elements, or None when a dimension is symbolic."""
        if not self.is_static:
            return None
        n = 1
        for d in self.shape:
            n *= d
        return n

    def with_dtype(self, dtype):
        return TensorType(dtype, self.shape, self.names)

    def with_names(self, names):
        return TensorType(self.dtype, self.shape, names)

    def __str__(self):
        """Nx's notation: `f32[rows: 2][3]`; a scalar is just `f32`; `?n` is symbolic."""
        dims = "".join(
            f"[{n}: {_fmt_dim(d)}]" if n is not None else f"[{_fmt_dim(d)}]"
            for d, n in zip(self.shape, self.names))
        return f"{self.dtype.name}{dims}"

    __repr__ = __str__


def _shape_str(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def scalar(dtype) -> TensorType:
    return TensorType(dtypes.parse(dtype), ())


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

def merge_name(a, b, axis):
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise AxisNameError(f"cannot merge name {a!r} on axis {axis} with name {b!r} on axis {axis}")


def axis_index(t: TensorType, axis, what="axis") -> int:
    """Normalize an axis given as an int (negative counts from the end) or a name."""
    if isinstance(axis, str):
        if axis not in t.names:
            known = [n for n in t.names if n is not None]
            raise AxisNameError(
                f"{what} {axis!r} not found in tensor {t}, its axis names are {known}")
        return t.names.index(axis)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ArgumentError(f"{what} must be an int or an axis name, got {axis!r}")
    if not -t.rank <= axis < t.rank:
        raise ShapeError(f"{what} {axis} is out of range for tensor {t} of rank {t.rank}")
    return axis % t.rank if t.rank else 0


def axes_indices(t: TensorType, axes, what="axes") -> tuple:
    """Normalize a list of axes; None means all axes. Duplicates are an error."""
    if axes is None:
        return tuple(range(t.rank))
    if isinstance(axes, (int, str)):
        axes = [axes]
    out = tuple(axis_index(t, a, "axis") for a in axes)
    if len(set(out)) != len(out):
        raise ShapeError(f"{what} {list(axes)} repeat an axis of tensor {t}")
    return out


# ---------------------------------------------------------------------------
# Broadcasting
# ---------------------------------------------------------------------------

def broadcast_dim(a, b, axis, ta=None, tb=None):
    if a == b:
        return a
    if a == 1:
        return b
    if b == 1:
        return a
    where = f" of {ta} and {tb}" if ta is not None else ""
    raise ShapeError(
        f"cannot broadcast shapes{where}: dimension {axis} differs ({a} vs {b})")


def broadcast(*types: TensorType, dtype: DType = None, what="broadcast") -> TensorType:
    """The broadcast type of several tensors: shapes aligned from the right, names merged."""
    rank = max(t.rank for t in types)
    shape, names = [], []
    for i in range(rank):
        d, n = 1, None
        for t in types:
            j = t.rank - rank + i
            if j < 0:
                continue
            try:
                d = broadcast_dim(d, t.shape[j], i)
            except ShapeError:
                parts = " and ".join(str(x) for x in types)
                sizes = " vs ".join(str(x.shape[x.rank - rank + i]) for x in types
                                    if x.rank - rank + i >= 0)
                raise ShapeError(
                    f"cannot {what} {parts}: dimension {i} differs ({sizes})") from None
            n = merge_name(n, t.names[j], i)
        shape.append(d)
        names.append(n)
    return TensorType(dtype if dtype is not None else types[0].dtype, tuple(shape), tuple(names))

