"""Sorting: `nx.sort`, `nx.argsort` (primitives, compiler/ir/ops/sorting.py) and
`nx.top_k` (a composite of them).

Every sort is stable; NaN sorts above every number (last ascending, first
descending); complex tensors are rejected, as in Nx.
"""
from __future__ import annotations

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import ArgumentError

from . import api
from ._dispatch import apply
from ._types import type_of
from .composite import composite

__all__ = ["sort", "argsort", "top_k"]


def sort(tensor, axis=0, direction="asc", stable=False):
    """`tensor` sorted along `axis`, "asc" or "desc" (always stable in nxc)."""
    return apply("sort", tensor, axis=axis, direction=direction, stable=stable)


def argsort(tensor, axis=0, direction="asc", stable=False, type=dtypes.INDEX):
    """The indices that sort `tensor` along `axis` (s32, or the integer `type`); stable."""
    return apply("argsort", tensor, axis=axis, direction=direction, stable=stable, type=type)


def _first(x, k):
    """The first k elements along the last axis."""
    t = type_of(x)
    return api.slice(x, (0,) * t.rank, t.shape[:-1] + (k,))


def _top_k_samples(dt):
    T = TensorType
    return [((T(dt, (5,)),), {"k": 2}),
            ((T(dt, (2, 3)),), {}),
            ((T(dt, (2, 3, 4)),), {"k": 4})]


@composite(accepts=dtypes.REAL, samples=_top_k_samples)
def top_k(tensor, k=1):
    """(values, indices): the `k` largest elements along the last axis, largest first.

    Ties keep their order; NaN counts as the largest; indices are s32. `k`
    must be between 1 and the size of the last axis.
    """
    t = type_of(tensor)
    if t.rank == 0:
        raise ArgumentError(f"top_k needs a tensor of rank 1 or more, got {t}")
    n = t.shape[-1]
    if not isinstance(k, int) or isinstance(k, bool) or k < 1 or (isinstance(n, int) and k > n):
        raise ArgumentError(f"top_k needs 1 <= k <= {n} (the last axis of {t}), got {k!r}")
    axis = t.rank - 1
    return (_first(sort(tensor, axis=axis, direction="desc"), k),
            _first(argsort(tensor, axis=axis, direction="desc"), k))
