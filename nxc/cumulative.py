"""`nx.cumulative_sum`, `nx.cumulative_product`, `nx.cumulative_min`,
`nx.cumulative_max`: running reductions along `axis` (default 0), from the end
with `reverse`; the result has the operand's type (compiler/ir/ops/cumulative.py)."""
from __future__ import annotations

from ._dispatch import apply

__all__ = ["cumulative_sum", "cumulative_product", "cumulative_min", "cumulative_max"]


def cumulative_sum(tensor, axis=0, reverse=False):
    """Running sums along `axis`; integers wrap in their type."""
    return apply("cumulative_sum", tensor, axis=axis, reverse=reverse)


def cumulative_product(tensor, axis=0, reverse=False):
    """Running products along `axis`; integers wrap in their type."""
    return apply("cumulative_product", tensor, axis=axis, reverse=reverse)


def cumulative_min(tensor, axis=0, reverse=False):
    """Running minima along `axis`; NaN propagates; real types only."""
    return apply("cumulative_min", tensor, axis=axis, reverse=reverse)


def cumulative_max(tensor, axis=0, reverse=False):
    """Running maxima along `axis`; NaN propagates; real types only."""
    return apply("cumulative_max", tensor, axis=axis, reverse=reverse)
