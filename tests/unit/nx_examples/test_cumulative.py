"""Nx's documentation examples of cumulative_sum, cumulative_product,
cumulative_min and cumulative_max (nx.ex), eagerly and compiled (nxex.check)."""
import pytest

import nxc as nx
from nxex import check, example

IOTA = nx.iota((3, 3))
M = nx.tensor([[2, 3, 1], [1, 3, 2], [2, 1, 3]])

EXAMPLES = [
    example("cumulative_sum", lambda a: nx.cumulative_sum(a), [nx.tensor([1, 2, 3, 4])],
            [1, 3, 6, 10], "s32"),
    example("cumulative_sum-axis0", lambda a: nx.cumulative_sum(a, axis=0), [IOTA],
            [[0, 1, 2], [3, 5, 7], [9, 12, 15]], "s32"),
    example("cumulative_sum-axis1", lambda a: nx.cumulative_sum(a, axis=1), [IOTA],
            [[0, 1, 3], [3, 7, 12], [6, 13, 21]], "s32"),
    example("cumulative_sum-axis0-reverse", lambda a: nx.cumulative_sum(a, axis=0, reverse=True),
            [IOTA], [[9, 12, 15], [9, 11, 13], [6, 7, 8]], "s32"),
    example("cumulative_sum-axis1-reverse", lambda a: nx.cumulative_sum(a, axis=1, reverse=True),
            [IOTA], [[3, 3, 2], [12, 9, 5], [21, 15, 8]], "s32"),
    example("cumulative_product", lambda a: nx.cumulative_product(a), [nx.tensor([1, 2, 3, 4])],
            [1, 2, 6, 24], "s32"),
    example("cumulative_product-axis0", lambda a: nx.cumulative_product(a, axis=0), [IOTA],
            [[0, 1, 2], [0, 4, 10], [0, 28, 80]], "s32"),
    example("cumulative_product-axis1", lambda a: nx.cumulative_product(a, axis=1), [IOTA],
            [[0, 0, 0], [3, 12, 60], [6, 42, 336]], "s32"),
    example("cumulative_product-axis0-reverse",
            lambda a: nx.cumulative_product(a, axis=0, reverse=True), [IOTA],
            [[0, 28, 80], [18, 28, 40], [6, 7, 8]], "s32"),
    example("cumulative_product-axis1-reverse",
            lambda a: nx.cumulative_product(a, axis=1, reverse=True), [IOTA],
            [[0, 2, 2], [60, 20, 5], [336, 56, 8]], "s32"),
    example("cumulative_min", lambda a: nx.cumulative_min(a), [nx.tensor([3, 4, 2, 1])],
            [3, 3, 2, 1], "s32"),
    example("cumulative_min-axis0", lambda a: nx.cumulative_min(a, axis=0), [M],
            [[2, 3, 1], [1, 3, 1], [1, 1, 1]], "s32"),
    example("cumulative_min-axis1", lambda a: nx.cumulative_min(a, axis=1), [M],
            [[2, 2, 1], [1, 1, 1], [2, 1, 1]], "s32"),
    example("cumulative_min-axis0-reverse", lambda a: nx.cumulative_min(a, axis=0, reverse=True),
            [M], [[1, 1, 1], [1, 1, 2], [2, 1, 3]], "s32"),
    example("cumulative_min-axis1-reverse", lambda a: nx.cumulative_min(a, axis=1, reverse=True),
            [M], [[1, 1, 1], [1, 2, 2], [1, 1, 3]], "s32"),
    example("cumulative_max", lambda a: nx.cumulative_max(a), [nx.tensor([3, 4, 2, 1])],
            [3, 4, 4, 4], "s32"),
    example("cumulative_max-axis0", lambda a: nx.cumulative_max(a, axis=0), [M],
            [[2, 3, 1], [2, 3, 2], [2, 3, 3]], "s32"),
    example("cumulative_max-axis1", lambda a: nx.cumulative_max(a, axis=1), [M],
            [[2, 3, 3], [1, 3, 3], [2, 2, 3]], "s32"),
    example("cumulative_max-axis0-reverse", lambda a: nx.cumulative_max(a, axis=0, reverse=True),
            [M], [[2, 3, 3], [2, 3, 3], [2, 1, 3]], "s32"),
    example("cumulative_max-axis1-reverse", lambda a: nx.cumulative_max(a, axis=1, reverse=True),
            [M], [[3, 3, 1], [3, 3, 2], [3, 3, 3]], "s32"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)


def test_cumulative_keeps_names_and_rejects_a_scalar():
    x = nx.tensor([[1, 2], [3, 4]], names=["rows", "cols"])
    assert nx.cumulative_sum(x, axis="cols").names == ("rows", "cols")
    assert nx.cumulative_sum(x, axis="cols").tolist() == [[1, 3], [3, 7]]
    with pytest.raises(nx.ShapeError, match="scalar"):
        nx.cumulative_max(nx.tensor(1))
