"""Type annotations: `nx.f32[3, 4]`, `nx.f32["n", 4]`, `nx.f32["features": 784]`.

Indexing a DType gives a TensorType. Each entry of the index is one axis:

    int              a static size                  nx.f32[3, 4]
    "n"              a symbolic size named n, and   nx.f32["batch", 784]
                     the axis is named n too
    "name": int      a named axis of static size    nx.f32["features": 784]
    "name": "n"      a named axis of symbolic size  nx.f32["rows": "n"]

`nx.f32[()]` and a bare `nx.f32` are scalars.
"""
from __future__ import annotations

from nxc.compiler.ir.dtypes import DType
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime.errors import ArgumentError, ShapeError


def annotation_type(dtype: DType, key) -> TensorType:
    """The TensorType that `dtype[key]` denotes."""
    entries = key if isinstance(key, tuple) else (key,)
    shape, names = [], []
    for i, entry in enumerate(entries):
        size, name = _axis(dtype, key, i, entry)
        shape.append(size)
        names.append(name)
    return TensorType(dtype, tuple(shape), tuple(names))


def to_type(annotation) -> TensorType:
    """A TensorType from an annotation: `nx.f32` (a scalar) or `nx.f32[...]`."""
    if isinstance(annotation, TensorType):
        return annotation
    if isinstance(annotation, DType):
        return TensorType(annotation, ())
    raise ArgumentError(
        f"expected a tensor type annotation such as nx.f32 or nx.f32[3, 4], got {annotation!r}")


def _axis(dtype, key, i, entry):
    if isinstance(entry, slice):
        if entry.step is not None or not isinstance(entry.start, str):
            raise ArgumentError(
                f"in {_show(dtype, key)}: axis {i} must be written \"name\": size, "
                f"got {_entry(entry)}")
        return _size(dtype, key, i, entry.stop), entry.start
    if isinstance(entry, str):
        return _size(dtype, key, i, entry), entry
    return _size(dtype, key, i, entry), None


def _size(dtype, key, i, size):
    if isinstance(size, str):
        if not size.isidentifier():
            raise ArgumentError(
                f"in {_show(dtype, key)}: symbolic size {size!r} of axis {i} must be an identifier")
        return Dim(size)
    if isinstance(size, bool) or not isinstance(size, int):
        raise ArgumentError(
            f"in {_show(dtype, key)}: the size of axis {i} must be an int or a symbolic "
            f"name, got {size!r}")
    if size < 0:
        raise ShapeError(f"in {_show(dtype, key)}: the size of axis {i} is negative ({size})")
    return size


def _entry(e):
    if isinstance(e, slice):
        parts = [repr(e.start) if e.start is not None else "",
                 repr(e.stop) if e.stop is not None else ""]
        if e.step is not None:
            parts.append(repr(e.step))
        return ":".join(parts)
    return repr(e)


def _show(dtype, key):
    entries = key if isinstance(key, tuple) else (key,)
    return f"{dtype.name}[{', '.join(_entry(e) for e in entries)}]"
