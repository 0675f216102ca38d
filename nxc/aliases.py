"""Names JAX and numpy users reach for, as documented aliases of Nx functions
(docs/api.md): maximum, minimum, where, matmul."""
from __future__ import annotations

from . import api
from ._types import type_of

__all__ = ["maximum", "minimum", "where", "matmul"]


def maximum(left, right):
    """Alias of nx.max: the element-wise maximum of two tensors (NaN propagates)."""
    return api.max(left, right)


def minimum(left, right):
    """Alias of nx.min: the element-wise minimum of two tensors (NaN propagates)."""
    return api.min(left, right)


def where(pred, on_true, on_false):
    """Alias of nx.select: on_true where pred is non-zero, else on_false."""
    return api.select(pred, on_true, on_false)


def matmul(a, b):
    """The matrix product, as numpy.matmul for operands of rank 1 and 2 (nx.dot(a, b)).

    Two operands of the same rank r >= 3 are stacks of matrices: their leading
    r - 2 axes are batch axes (nx.dot with batch_axes), as numpy.matmul without
    broadcasting the batch axes. Other ranks follow nx.dot.
    """
    ra, rb = type_of(a).rank, type_of(b).rank
    if ra == rb and ra >= 3:
        batch = tuple(range(ra - 2))
        return api.dot(a, (ra - 1,), batch, b, (rb - 2,), batch)
    return api.dot(a, b)
