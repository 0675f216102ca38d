"""Nx's documentation examples of the window functions (nx.ex), eagerly and
compiled (nxex.check)."""
import math

import pytest

import nxc as nx
from nxex import check, example

INF = math.inf
S32_MIN, S32_MAX = -2147483648, 2147483647

A = nx.tensor([[[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5, 6]]])
F = nx.tensor([[[4.0, 2.0, 3.0], [2.0, 5.0, 6.5]], [[1.2, 2.2, 3.2], [4.0, 5.0, 6.2]]])
D = nx.tensor([[[4, 2, 1, 3], [4, 2, 1, 7]], [[1, 2, 5, 7], [1, 8, 9, 2]]])
PAD_A = ((0, 1), (2, 0), (1, 1))
PAD_F = ((1, 1), (0, 0), (1, 1))


# Each window function on the same four inputs, as nx.ex documents them.
EXAMPLES = [
    example("window_sum-1x2x1", lambda a: nx.window_sum(a, (1, 2, 1)), [A],
            [[[5, 7, 9]], [[5, 7, 9]]], "s32"),
    example("window_sum-strides-padding",
            lambda a: nx.window_sum(a, (2, 2, 1), strides=(1, 2, 3), padding=PAD_A), [A],
            [[[0, 0], [0, 18]], [[0, 0], [0, 9]]], "s32"),
    example("window_sum-floats",
            lambda a: nx.window_sum(a, (2, 1, 1), strides=(2, 1, 1), padding=PAD_F), [F],
            [[[0.0, 4.0, 2.0, 3.0, 0.0], [0.0, 2.0, 5.0, 6.5, 0.0]],
             [[0.0, 1.2, 2.2, 3.2, 0.0], [0.0, 4.0, 5.0, 6.2, 0.0]]], "f32"),
    example("window_sum-dilations",
            lambda a: nx.window_sum(a, (1, 1, 2), strides=(2, 1, 1), padding="valid",
                                window_dilations=(1, 2, 2)), [D],
            [[[5, 5], [5, 9]]], "s32"),
    example("window_mean-1x2x1", lambda a: nx.window_mean(a, (1, 2, 1)), [A],
            [[[2.5, 3.5, 4.5]], [[2.5, 3.5, 4.5]]], "f32"),
    example("window_mean-strides-padding",
            lambda a: nx.window_mean(a, (2, 2, 1), strides=(1, 2, 3), padding=PAD_A), [A],
            [[[0.0, 0.0], [0.0, 4.5]], [[0.0, 0.0], [0.0, 2.25]]], "f32"),
    example("window_mean-floats",
            lambda a: nx.window_mean(a, (2, 1, 1), strides=(2, 1, 1), padding=PAD_F), [F],
            [[[0.0, 2.0, 1.0, 1.5, 0.0], [0.0, 1.0, 2.5, 3.25, 0.0]],
             [[0.0, 0.6, 1.1, 1.6, 0.0], [0.0, 2.0, 2.5, 3.1, 0.0]]], "f32"),
    example("window_mean-dilations",
            lambda a: nx.window_mean(a, (1, 1, 2), strides=(2, 1, 1), padding="valid",
                                window_dilations=(1, 2, 2)), [D],
            [[[2.5, 2.5], [2.5, 4.5]]], "f32"),
    example("window_max-1x2x1", lambda a: nx.window_max(a, (1, 2, 1)), [A],
            [[[4, 5, 6]], [[4, 5, 6]]], "s32"),
    example("window_max-strides-padding",
            lambda a: nx.window_max(a, (2, 2, 1), strides=(1, 2, 3), padding=PAD_A), [A],
            [[[S32_MIN, S32_MIN], [S32_MIN, 6]], [[S32_MIN, S32_MIN], [S32_MIN, 6]]], "s32"),
    example("window_max-floats",
            lambda a: nx.window_max(a, (2, 1, 1), strides=(2, 1, 1), padding=PAD_F), [F],
            [[[-INF, 4.0, 2.0, 3.0, -INF], [-INF, 2.0, 5.0, 6.5, -INF]],
             [[-INF, 1.2, 2.2, 3.2, -INF], [-INF, 4.0, 5.0, 6.2, -INF]]], "f32"),
    example("window_max-dilations",
            lambda a: nx.window_max(a, (1, 1, 2), strides=(2, 1, 1), padding="valid",
                                window_dilations=(1, 2, 2)), [D],
            [[[4, 3], [4, 7]]], "s32"),
    example("window_min-1x2x1", lambda a: nx.window_min(a, (1, 2, 1)), [A],
            [[[1, 2, 3]], [[1, 2, 3]]], "s32"),
    example("window_min-strides-padding",
            lambda a: nx.window_min(a, (2, 2, 1), strides=(1, 2, 3), padding=PAD_A), [A],
            [[[S32_MAX, S32_MAX], [S32_MAX, 3]], [[S32_MAX, S32_MAX], [S32_MAX, 3]]], "s32"),
    example("window_min-floats",
            lambda a: nx.window_min(a, (2, 1, 1), strides=(2, 1, 1), padding=PAD_F), [F],
            [[[INF, 4.0, 2.0, 3.0, INF], [INF, 2.0, 5.0, 6.5, INF]],
             [[INF, 1.2, 2.2, 3.2, INF], [INF, 4.0, 5.0, 6.2, INF]]], "f32"),
    example("window_min-dilations",
            lambda a: nx.window_min(a, (1, 1, 2), strides=(2, 1, 1), padding="valid",
                                window_dilations=(1, 2, 2)), [D],
            [[[1, 2], [1, 2]]], "s32"),
    example("window_product-1x2x1", lambda a: nx.window_product(a, (1, 2, 1)), [A],
            [[[4, 10, 18]], [[4, 10, 18]]], "s32"),
    example("window_product-strides-padding",
            lambda a: nx.window_product(a, (2, 2, 1), strides=(1, 2, 3), padding=PAD_A), [A],
            [[[1, 1], [1, 324]], [[1, 1], [1, 18]]], "s32"),
    example("window_product-floats",
            lambda a: nx.window_product(a, (2, 1, 1), strides=(2, 1, 1), padding=PAD_F), [F],
            [[[1.0, 4.0, 2.0, 3.0, 1.0], [1.0, 2.0, 5.0, 6.5, 1.0]],
             [[1.0, 1.2, 2.2, 3.2, 1.0], [1.0, 4.0, 5.0, 6.2, 1.0]]], "f32"),
    example("window_product-dilations",
            lambda a: nx.window_product(a, (1, 1, 2), strides=(2, 1, 1), padding="valid",
                                window_dilations=(1, 2, 2)), [D],
            [[[4, 6], [4, 14]]], "s32"),
    example("window_sum-dilation-1x2x1",
            lambda a: nx.window_sum(a, (1, 1, 2), strides=(2, 1, 1), padding="valid",
                                    window_dilations=(1, 2, 1)), [D],
            [[[6, 3, 4], [6, 3, 8]]], "s32"),
    example("window_sum-dilation-padding",
            lambda a: nx.window_sum(a, (2, 1, 2), strides=(2, 1, 1),
                                    padding=((2, 1), (3, 1), (1, 0)),
                                    window_dilations=(1, 2, 2)), [D],
            [[[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]],
             [[0, 0, 0], [0, 0, 0], [0, 0, 0], [4, 11, 14], [10, 15, 19], [0, 0, 0]]], "s32"),
    example("window_mean-dilation-1x2x1",
            lambda a: nx.window_mean(a, (1, 1, 2), strides=(2, 1, 1), padding="valid",
                                     window_dilations=(1, 2, 1)), [D],
            [[[3.0, 1.5, 2.0], [3.0, 1.5, 4.0]]], "f32"),
    # XLA's select-and-scatter example, which Nx's window_scatter_max documents.
    example("window_scatter_max",
            lambda a, s: nx.window_scatter_max(a, s, 0, (2, 3), strides=(2, 3),
                                               padding="valid"),
            [nx.tensor([[7, 2, 5, 3, 10, 2], [3, 8, 9, 3, 4, 2], [1, 5, 7, 5, 6, 1],
                        [0, 6, 2, 7, 2, 8]]), nx.tensor([[2, 6], [3, 1]])],
            [[0, 0, 0, 0, 6, 0], [0, 0, 2, 0, 0, 0], [0, 0, 3, 0, 0, 0], [0, 0, 0, 0, 0, 1]],
            "s32"),
    example("window_scatter_min",
            lambda a, s: nx.window_scatter_min(a, s, 0, (2, 3), strides=(2, 3),
                                               padding="valid"),
            [nx.tensor([[7, 2, 5, 3, 10, 2], [3, 8, 9, 3, 4, 2], [1, 5, 7, 5, 6, 1],
                        [0, 6, 2, 7, 2, 8]]), nx.tensor([[2, 6], [3, 1]])],
            [[0, 2, 0, 0, 0, 6], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1], [3, 0, 0, 0, 0, 0]],
            "s32"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)


def test_same_padding_keeps_the_shape_and_names():
    x = nx.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], names=["rows", "cols"])
    y = nx.window_max(x, (2, 2), padding="same")
    assert y.shape == (2, 3) and y.names == ("rows", "cols")
    assert y.tolist() == [[5.0, 6.0, 6.0], [5.0, 6.0, 6.0]]


def test_window_options_are_checked():
    x = nx.tensor([1, 2, 3])
    with pytest.raises(nx.ArgumentError, match="window_dimensions"):
        nx.window_sum(x, (1, 2))
    with pytest.raises(nx.ArgumentError, match="padding"):
        nx.window_sum(x, (2,), padding="full")
    with pytest.raises(nx.ArgumentError, match="strides"):
        nx.window_sum(x, (2,), strides=0)
