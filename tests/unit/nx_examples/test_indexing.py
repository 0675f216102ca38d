"""Nx's documentation examples of indexing by tensors (nx.ex): gather, take,
take_along_axis, indexed_add, indexed_put and the access syntax `t[tensor]`;
eagerly and compiled (nxex.check)."""
import pytest

import nxc as nx
from nxex import check, example


def t(data, type=None, names=None):
    return nx.tensor(data, dtype=type, names=names)


SQUARE = t([[1, 2], [3, 4]])
CUBE = t([[[1, 2], [11, 12]], [[101, 102], [111, 112]]])
ROWS = t([[1, 2, 3], [4, 5, 6]])
COLUMN = t([[[1, 2], [3, 4], [5, 6]]])

EXAMPLES = [
    # gather
    example("gather-scalars", lambda a, i: nx.gather(a, i), [SQUARE, t([[1, 1], [0, 1], [1, 0]])],
            [4, 2, 3], "s32"),
    example("gather-scalars-nested", lambda a, i: nx.gather(a, i),
            [SQUARE, t([[[1, 1], [0, 0]], [[1, 0], [0, 1]]])], [[4, 1], [3, 2]], "s32"),
    example("gather-scalars-3d", lambda a, i: nx.gather(a, i),
            [CUBE, t([[0, 0, 0], [0, 1, 1], [1, 1, 1]])], [1, 12, 112], "s32"),
    example("gather-subsets", lambda a, i: nx.gather(a, i), [t([[1, 2, 3], [3, 4, 5]]),
                                                              t([[1], [0]])],
            [[3, 4, 5], [1, 2, 3]], "s32"),
    example("gather-axes", lambda a, i: nx.gather(a, i, axes=[1]),
            [ROWS, t([[1], [0], [2], [1]])], [[2, 5], [1, 4], [3, 6], [2, 5]], "s32"),
    example("gather-axes-3d", lambda a, i: nx.gather(a, i, axes=[2]),
            [nx.iota((2, 1, 3)), t([[[1], [0], [2]]])],
            [[[[1], [4]], [[0], [3]], [[2], [5]]]], "s32"),
    # take
    example("take", lambda a, i: nx.take(a, i), [SQUARE, t([1, 0, 1])],
            [[3, 4], [1, 2], [3, 4]], "s32"),
    example("take-axis-1", lambda a, i: nx.take(a, i, axis=1), [SQUARE, t([1, 0, 1])],
            [[2, 1, 2], [4, 3, 4]], "s32"),
    example("take-named-axis", lambda a, i: nx.take(a, i, axis="y"),
            [t([[1, 2], [3, 4]], names=["x", "y"]), t([1, 0, 1])], [[2, 1, 2], [4, 3, 4]], "s32",
            ["x", "y"]),
    example("take-3d-axis-1", lambda a, i: nx.take(a, i, axis=1), [CUBE, t([1, 0, 1])],
            [[[11, 12], [1, 2], [11, 12]], [[111, 112], [101, 102], [111, 112]]], "s32"),
    example("take-indices-2d", lambda a, i: nx.take(a, i, axis=1),
            [t([[1, 2], [11, 12]]), t([[0, 0], [1, 1], [0, 0]])],
            [[[1, 1], [2, 2], [1, 1]], [[11, 11], [12, 12], [11, 11]]], "s32"),
    example("take-indices-2d-3d", lambda a, i: nx.take(a, i, axis=1),
            [CUBE, t([[0, 0, 0], [1, 1, 1], [0, 0, 0]])],
            [[[[1, 2]] * 3, [[11, 12]] * 3, [[1, 2]] * 3],
             [[[101, 102]] * 3, [[111, 112]] * 3, [[101, 102]] * 3]], "s32"),
    # take_along_axis
    example("take-along-axis-1", lambda a, i: nx.take_along_axis(a, i, axis=1),
            [ROWS, t([[0, 0, 2, 2, 1, 1], [2, 2, 1, 1, 0, 0]])],
            [[1, 1, 3, 3, 2, 2], [6, 6, 5, 5, 4, 4]], "s32"),
    example("take-along-axis-0", lambda a, i: nx.take_along_axis(a, i, axis=0),
            [ROWS, t([[0, 1, 1], [1, 0, 0], [0, 1, 0]])], [[1, 5, 6], [4, 2, 3], [1, 5, 3]],
            "s32"),
    example("take-along-argsort-1", lambda a: nx.take_along_axis(
        a, nx.argsort(a, axis=1, direction="desc"), axis=1), [COLUMN],
        [[[5, 6], [3, 4], [1, 2]]], "s32"),
    example("take-along-argsort-2", lambda a: nx.take_along_axis(
        a, nx.argsort(a, axis=2, direction="desc"), axis=2), [COLUMN],
        [[[2, 1], [4, 3], [6, 5]]], "s32"),
    # indexed_add
    example("indexed-add-scalar", lambda a, i: nx.indexed_add(a, i, 8),
            [t([[1], [2]]), t([1, 0])], [[1], [10]], "s32"),
    example("indexed-add-entries", lambda a, i, u: nx.indexed_add(a, i, u),
            [nx.iota((1, 2, 3)), t([[0, 0, 0], [0, 1, 1], [0, 0, 0], [0, 0, 2], [0, 1, 2]]),
             t([1, 3, 1, -2, 5])], [[[2, 1, 0], [3, 7, 10]]], "s32"),
    example("indexed-add-float-target", lambda a, i, u: nx.indexed_add(a, i, u),
            [t([1.0]), t([[0], [0]]), t([1, 1])], [3.0], "f32"),
    example("indexed-add-float-updates", lambda a, i, u: nx.indexed_add(a, i, u),
            [t([1]), t([[0], [0]]), t([1.0, 1.0])], [3.0], "f32"),
    example("indexed-add-s64", lambda a, i, u: nx.indexed_add(a, i, u),
            [t([1], type=nx.s32), t([[0], [0]]), t([1, 1], type=nx.s64)], [3], "s64"),
    # indexed_put
    example("indexed-put-scalar", lambda a, i: nx.indexed_put(a, i, 10),
            [t([[1], [2]]), t([1, 0])], [[1], [10]], "s32"),
    example("indexed-put-entries", lambda a, i, u: nx.indexed_put(a, i, u),
            [t([0, 0, 0]), t([[1], [2]]), t([2, 4])], [0, 2, 4], "s32"),
    example("indexed-put-entries-2", lambda a, i, u: nx.indexed_put(a, i, u),
            [t([0, 0, 0]), t([[1], [2]]), t([3, 4])], [0, 3, 4], "s32"),
    example("indexed-put-3d", lambda a, i, u: nx.indexed_put(a, i, u),
            [nx.iota((1, 2, 3)), t([[0, 0, 0], [0, 1, 1], [0, 0, 2]]), t([1, 3, -2])],
            [[[1, 1, -2], [3, 3, 5]]], "s32"),
    example("indexed-put-windows", lambda a, i, u: nx.indexed_put(a, i, u),
            [nx.iota((1, 3, 2)), t([[0, 0], [0, 2]]), t([[0, 10], [40, 50]])],
            [[[0, 10], [2, 3], [40, 50]]], "s32"),
    example("indexed-put-axes", lambda a, i, u: nx.indexed_put(a, i, u, axes=[0, 2]),
            [nx.iota((1, 2, 3)), t([[0, 0], [0, 2]]), t([[0, 30], [20, 50]])],
            [[[0, 1, 20], [30, 4, 50]]], "s32"),
    example("indexed-put-float-target", lambda a, i, u: nx.indexed_put(a, i, u),
            [t([1.0]), t([[0]]), t([3])], [3.0], "f32"),
    example("indexed-put-float-updates", lambda a, i, u: nx.indexed_put(a, i, u),
            [t([1]), t([[0]]), t([3.0])], [3.0], "f32"),
    example("indexed-put-s64", lambda a, i, u: nx.indexed_put(a, i, u),
            [t([1], type=nx.s32), t([[0]]), t([3], type=nx.s64)], [3], "s64"),
    # access syntax: a tensor index is take on axis 0, clamped into range
    example("access-scalar-tensors", lambda a, i: a[i][i], [SQUARE, t(2)], 4, "s32"),
    example("access-clamped", lambda a, i: a[i][i], [SQUARE, t(-1)], 1, "s32"),
    example("access-take", lambda a, i: a[i], [SQUARE, t([1, 0])], [[3, 4], [1, 2]], "s32"),
    example("access-take-nested", lambda a, i: a[i], [SQUARE, t([[1, 0, 1]])],
            [[[3, 4], [1, 2], [3, 4]]], "s32"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)
