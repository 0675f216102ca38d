"""Nx's documentation examples of sort, argsort and top_k (nx.ex), eagerly and
compiled (nxex.check)."""
import math

import pytest

import nxc as nx
from nxex import check, example

INF, NAN = math.inf, math.nan


def t(data, type=None, names=None):
    return nx.tensor(data, dtype=type, names=names)


XY = t([[3, 1, 7], [2, 5, 4]], names=["x", "y"])
CUBE = t([[[4, 5], [2, 5], [5, 0]], [[1, 9], [2, 1], [2, 1]], [[0, -1], [-1, 0], [0, -1]],
          [[-1, 0], [0, -1], [-1, 0]]], names=["x", "y", "z"])
BOX = t([[[4, 5, 2], [2, 5, 3], [5, 0, 2]], [[1, 9, 8], [2, 1, 3], [2, 1, 4]]],
        names=["x", "y", "z"])
SPECIAL = t([NAN, -INF, 0.0, INF])
SPECIAL2 = t([NAN, -INF, INF, 0.0])

EXAMPLES = [
    example("sort", lambda a: nx.sort(a), [t([16, 23, 42, 4, 8, 15])], [4, 8, 15, 16, 23, 42],
            "s32"),
    example("sort-axis-x", lambda a: nx.sort(a, axis="x"), [XY], [[2, 1, 4], [3, 5, 7]], "s32",
            ["x", "y"]),
    example("sort-axis-y", lambda a: nx.sort(a, axis="y"), [XY], [[1, 3, 7], [2, 4, 5]], "s32",
            ["x", "y"]),
    example("sort-axis-y-asc", lambda a: nx.sort(a, axis="y", direction="asc"), [XY],
            [[1, 3, 7], [2, 4, 5]], "s32", ["x", "y"]),
    example("sort-3d-axis-x", lambda a: nx.sort(a, axis="x"), [CUBE],
            [[[-1, -1], [-1, -1], [-1, -1]], [[0, 0], [0, 0], [0, 0]], [[1, 5], [2, 1], [2, 0]],
             [[4, 9], [2, 5], [5, 1]]], "s32", ["x", "y", "z"]),
    example("sort-box-x", lambda a: nx.sort(a, axis="x"), [BOX],
            [[[1, 5, 2], [2, 1, 3], [2, 0, 2]], [[4, 9, 8], [2, 5, 3], [5, 1, 4]]], "s32",
            ["x", "y", "z"]),
    example("sort-box-y", lambda a: nx.sort(a, axis="y"), [BOX],
            [[[2, 0, 2], [4, 5, 2], [5, 5, 3]], [[1, 1, 3], [2, 1, 4], [2, 9, 8]]], "s32",
            ["x", "y", "z"]),
    example("sort-box-z", lambda a: nx.sort(a, axis="z"), [BOX],
            [[[2, 4, 5], [2, 3, 5], [0, 2, 5]], [[1, 8, 9], [1, 2, 3], [1, 2, 4]]], "s32",
            ["x", "y", "z"]),
    example("sort-nan", lambda a: nx.sort(a), [SPECIAL], [-INF, 0.0, INF, NAN], "f32"),
    example("sort-nan-desc", lambda a: nx.sort(a, direction="desc"), [SPECIAL],
            [NAN, INF, 0.0, -INF], "f32"),
    example("argsort", lambda a: nx.argsort(a), [t([16, 23, 42, 4, 8, 15])], [3, 4, 5, 0, 1, 2],
            "s32"),
    example("argsort-axis-x", lambda a: nx.argsort(a, axis="x"), [XY], [[1, 0, 1], [0, 1, 0]],
            "s32", ["x", "y"]),
    example("argsort-axis-y", lambda a: nx.argsort(a, axis="y"), [XY], [[1, 0, 2], [0, 2, 1]],
            "s32", ["x", "y"]),
    example("argsort-type-u32", lambda a: nx.argsort(a, axis="y", direction="asc", type=nx.u32),
            [XY], [[1, 0, 2], [0, 2, 1]], "u32", ["x", "y"]),
    example("argsort-stable-x", lambda a: nx.argsort(a, axis="x", stable=True), [BOX],
            [[[1, 0, 0], [0, 1, 0], [1, 0, 0]], [[0, 1, 1], [1, 0, 1], [0, 1, 1]]], "s32",
            ["x", "y", "z"]),
    example("argsort-stable-y", lambda a: nx.argsort(a, axis="y", stable=True), [BOX],
            [[[1, 2, 0], [0, 0, 2], [2, 1, 1]], [[0, 1, 1], [1, 2, 2], [2, 0, 0]]], "s32",
            ["x", "y", "z"]),
    example("argsort-nan", lambda a: nx.argsort(a), [SPECIAL2], [1, 3, 2, 0], "s32"),
    example("argsort-nan-desc", lambda a: nx.argsort(a, direction="desc"), [SPECIAL2],
            [0, 2, 3, 1], "s32"),
    example("top_k-values", lambda a: nx.top_k(a, k=2)[0], [t([1, 2, 3, 4, 5])], [5, 4], "s32"),
    example("top_k-indices", lambda a: nx.top_k(a, k=2)[1], [t([1, 2, 3, 4, 5])], [4, 3], "s32"),
    example("top_k-default-values", lambda a: nx.top_k(a)[0],
            [t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])], [[3.0], [6.0]], "f32"),
    example("top_k-default-indices", lambda a: nx.top_k(a)[1],
            [t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])], [[2], [2]], "s32"),
    example("top_k-nan-values", lambda a: nx.top_k(a, k=3)[0], [SPECIAL2], [NAN, INF, 0.0],
            "f32"),
    example("top_k-nan-indices", lambda a: nx.top_k(a, k=3)[1], [SPECIAL2], [0, 2, 3], "s32"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)


def test_top_k_errors_name_k_and_the_axis():
    with pytest.raises(nx.ArgumentError, match="k=6|got 6"):
        nx.top_k(t([1, 2, 3, 4, 5]), k=6)
    with pytest.raises(nx.ArgumentError, match="rank 1"):
        nx.top_k(t(1), k=1)


def test_sort_rejects_complex_and_bad_direction():
    with pytest.raises(nx.DTypeError, match="c64"):
        nx.sort(t([1j, 2]))
    with pytest.raises(nx.ArgumentError, match="direction"):
        nx.sort(t([1, 2]), direction="up")
