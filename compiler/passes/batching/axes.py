"""Types and batch-axis moves shared by the batching rules (rules.py).

An operand is `x` (anything with `.type`, or a Python number) and the position
`bdim` of its batch axis, None when it has none. Moves emit ops through the
rules' context (`ctx.op`), so they work at every batching level.
"""
from __future__ import annotations

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType


def type_of(x) -> TensorType:
    """The type of an operand: its `.type`, or the literal type of a Python number."""
    t = getattr(x, "type", None)
    if isinstance(t, TensorType):
        return t
    if isinstance(x, (np.ndarray, np.generic)):
        return TensorType(dtypes.from_numpy(x.dtype), np.shape(x))
    return TensorType(dtypes.scalar_type(x), ())


def rank(x) -> int:
    return type_of(x).rank


def logical_rank(x, bdim) -> int:
    """The rank of one entry: the batch axis does not count."""
    return rank(x) - (bdim is not None)


def unbatched_type(t: TensorType, bdim) -> TensorType:
    """`t` without its batch axis."""
    if bdim is None:
        return t
    return TensorType(t.dtype, t.shape[:bdim] + t.shape[bdim + 1:], t.names[:bdim] + t.names[bdim + 1:])


def phys(axis, bdim):
    """The axis of the batched operand that holds axis `axis` of one entry."""
    return axis if bdim is None or axis < bdim else axis + 1


def moveaxis(ctx, x, src, dst):
    """`x` with its axis `src` moved to position `dst`."""
    if src == dst:
        return x
    perm = [i for i in range(rank(x)) if i != src]
    perm.insert(dst, src)
    return ctx.op("transpose", x, axes=tuple(perm))


def materialize(ctx, x, at=0):
    """An unbatched `x` broadcast along a new batch axis at `at` (the same for each entry)."""
    t = type_of(x)
    shape = t.shape[:at] + (ctx.size,) + t.shape[at:]
    names = t.names[:at] + (ctx.axis_name,) + t.names[at:]
    axes = tuple(i for i in range(t.rank + 1) if i != at)
    return ctx.op("broadcast", x, shape=shape, axes=axes, names=names)


def batched_at(ctx, x, bdim, at=0):
    """`x` with its batch axis at `at`, created by broadcasting when `x` is unbatched."""
    if bdim is None:
        return materialize(ctx, x, at)
    return moveaxis(ctx, x, bdim, at)


def front(ctx, args):
    """Every operand with its batch axis in front (unbatched ones broadcast)."""
    return [batched_at(ctx, x, b, 0) for x, b in args]


def ones_after_front(ctx, x, count):
    """`x`, batched in front, with `count` size-1 axes inserted after the batch axis."""
    for _ in range(count):
        x = ctx.op("new_axis", x, axis=1)
    return x


def results(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]
