"""Nx's documentation examples of the reductions and statistics (nx.ex): sum,
mean, product, reduce_max, reduce_min, argmax, argmin, all, any, all_close,
weighted_mean, median, mode, variance, standard_deviation, covariance, reduce
and window_reduce; eagerly and compiled (nxex.check).

Not reproduced here: the vectorized examples (vectorization is tested in
tests/unit/batching)."""
import math

import pytest

import nxc as nx
from nxex import check, example

INF, NAN = math.inf, math.nan


def t(data, type=None, names=None):
    return nx.tensor(data, dtype=type, names=names)


XYZ = ["x", "y", "z"]
IOTA = nx.iota((2, 2, 3), names=XYZ)
ARG = t([[[4, 2, 3], [1, -5, 3]], [[6, 2, 3], [4, 8, 3]]])
ARG_N = t([[[4, 2, 3], [1, -5, 3]], [[6, 2, 3], [4, 8, 3]]], names=XYZ)
MAX = t([[3, 1, 4], [2, 1, 1]], names=["x", "y"])
CUBE = t([[[1, 2], [4, 5]], [[2, 4], [3, 8]]], names=XYZ)
R = t([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]], names=XYZ)
P = t([[1, 2], [3, 4]])
SD = t([[1, 2], [10, 20]])
MODE = t([[1, 2, 2, 3, 5], [1, 1, 76, 8, 1]])
MED = t([[[1, 2, 2], [3, 4, 2]], [[4, 5, 2], [7, 9, 2]]])


def add(x, y):
    return nx.add(x, y)


EXAMPLES = [
    # sum
    example("sum-scalar", lambda a: nx.sum(a), [t(42)], 42, "s32"),
    example("sum-vector", lambda a: nx.sum(a), [t([1, 2, 3])], 6, "s32"),
    example("sum-floats", lambda a: nx.sum(a), [t([[1.0, 2.0], [3.0, 4.0]])], 10.0, "f32"),
    example("sum-s8", lambda a: nx.sum(a), [t([[101, 102], [103, 104]], "s8")], 410, "s32"),
    example("sum-s16", lambda a: nx.sum(a), [t([[101, 102], [103, 104]], "s16")], 410, "s32"),
    example("sum-axis0", lambda a: nx.sum(a, axes=[0]), [t([1, 2, 3])], 6, "s32"),
    example("sum-x", lambda a: nx.sum(a, axes=["x"]), [IOTA], [[6, 8, 10], [12, 14, 16]],
            "s32", ["y", "z"]),
    example("sum-y", lambda a: nx.sum(a, axes=["y"]), [IOTA], [[3, 5, 7], [15, 17, 19]], "s32",
            ["x", "z"]),
    example("sum-z", lambda a: nx.sum(a, axes=["z"]), [IOTA], [[3, 12], [21, 30]], "s32",
            ["x", "y"]),
    example("sum-xz", lambda a: nx.sum(a, axes=["x", "z"]), [IOTA], [24, 42], "s32", ["y"]),
    example("sum-minus3", lambda a: nx.sum(a, axes=[-3]), [IOTA], [[6, 8, 10], [12, 14, 16]],
            "s32", ["y", "z"]),
    example("sum-keep", lambda a: nx.sum(a, axes=["x"], keep_axes=True),
            [t([[1, 2], [3, 4]], names=["x", "y"])], [[4, 6]], "s32", ["x", "y"]),
    # mean
    example("mean-scalar", lambda a: nx.mean(a), [t(42)], 42.0, "f32"),
    example("mean-vector", lambda a: nx.mean(a), [t([1, 2, 3])], 2.0, "f32"),
    example("mean-axis0", lambda a: nx.mean(a, axes=[0]), [t([1, 2, 3])], 2.0, "f32"),
    example("mean-u8", lambda a: nx.mean(a, axes=["x"]), [t([1, 2, 3], "u8", ["x"])], 2.0,
            "f32"),
    example("mean-x", lambda a: nx.mean(a, axes=["x"]), [IOTA],
            [[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], "f32", ["y", "z"]),
    example("mean-xz", lambda a: nx.mean(a, axes=["x", "z"]), [IOTA], [4.0, 7.0], "f32", ["y"]),
    example("mean-last", lambda a: nx.mean(a, axes=[-1]), [IOTA], [[1.0, 4.0], [7.0, 10.0]],
            "f32", ["x", "y"]),
    example("mean-keep", lambda a: nx.mean(a, axes=[-1], keep_axes=True), [IOTA],
            [[[1.0], [4.0]], [[7.0], [10.0]]], "f32", XYZ),
    # product
    example("product-scalar", lambda a: nx.product(a), [t(42)], 42, "s32"),
    example("product-vector", lambda a: nx.product(a), [t([1, 2, 3])], 6, "s32"),
    example("product-floats", lambda a: nx.product(a), [t([[1.0, 2.0], [3.0, 4.0]])], 24.0,
            "f32"),
    example("product-u8", lambda a: nx.product(a), [t([[10, 20], [30, 40]], "u8", ["x", "y"])],
            240000, "u32"),
    example("product-s8", lambda a: nx.product(a), [t([[10, 20], [30, 40]], "s8", ["x", "y"])],
            240000, "s32"),
    example("product-x", lambda a: nx.product(a, axes=["x"]), [IOTA],
            [[0, 7, 16], [27, 40, 55]], "s32", ["y", "z"]),
    example("product-y", lambda a: nx.product(a, axes=["y"]), [IOTA],
            [[0, 4, 10], [54, 70, 88]], "s32", ["x", "z"]),
    example("product-xz", lambda a: nx.product(a, axes=["x", "z"]), [IOTA], [0, 59400], "s32",
            ["y"]),
    example("product-z", lambda a: nx.product(a, axes=["z"]), [IOTA], [[0, 60], [336, 990]],
            "s32", ["x", "y"]),
    example("product-keep", lambda a: nx.product(a, axes=["z"], keep_axes=True), [IOTA],
            [[[0], [60]], [[336], [990]]], "s32", XYZ),
    # reduce_max / reduce_min
    example("reduce_max-scalar", lambda a: nx.reduce_max(a), [t(42)], 42, "s32"),
    example("reduce_max-float", lambda a: nx.reduce_max(a), [t(42.0)], 42.0, "f32"),
    example("reduce_max-vector", lambda a: nx.reduce_max(a), [t([1, 2, 3])], 3, "s32"),
    example("reduce_max-x", lambda a: nx.reduce_max(a, axes=["x"]), [MAX], [3, 1, 4], "s32",
            ["y"]),
    example("reduce_max-y", lambda a: nx.reduce_max(a, axes=["y"]), [MAX], [4, 2], "s32", ["x"]),
    example("reduce_max-xz", lambda a: nx.reduce_max(a, axes=["x", "z"]), [CUBE], [4, 8], "s32",
            ["y"]),
    example("reduce_max-keep", lambda a: nx.reduce_max(a, axes=["x", "z"], keep_axes=True),
            [CUBE], [[[4], [8]]], "s32", XYZ),
    example("reduce_min-vector", lambda a: nx.reduce_min(a), [t([1, 2, 3])], 1, "s32"),
    example("reduce_min-x", lambda a: nx.reduce_min(a, axes=["x"]), [MAX], [2, 1, 1], "s32",
            ["y"]),
    example("reduce_min-y", lambda a: nx.reduce_min(a, axes=["y"]), [MAX], [1, 1], "s32", ["x"]),
    example("reduce_min-xz", lambda a: nx.reduce_min(a, axes=["x", "z"]), [CUBE], [1, 3], "s32",
            ["y"]),
    example("reduce_min-keep", lambda a: nx.reduce_min(a, axes=["x", "z"], keep_axes=True),
            [CUBE], [[[1], [3]]], "s32", XYZ),
    # argmax / argmin (NaN wins, tie_break picks among equal values)
    example("argmax-scalar", lambda a: nx.argmax(a), [4], 0, "s32"),
    example("argmax-flat", lambda a: nx.argmax(a), [ARG], 10, "s32"),
    example("argmax-floats", lambda a: nx.argmax(a), [t([2.0, 4.0])], 1, "s32"),
    example("argmax-nan", lambda a: nx.argmax(a), [t([2.0, NAN, 4.0])], 1, "s32"),
    example("argmax-axis0", lambda a: nx.argmax(a, axis=0), [ARG], [[1, 0, 0], [1, 1, 0]],
            "s32"),
    example("argmax-y", lambda a: nx.argmax(a, axis="y"), [ARG_N], [[0, 0, 0], [0, 1, 0]],
            "s32", ["x", "z"]),
    example("argmax-z", lambda a: nx.argmax(a, axis="z"), [ARG_N], [[0, 2], [0, 1]], "s32",
            ["x", "y"]),
    example("argmax-low", lambda a: nx.argmax(a, tie_break="low", axis="y"), [ARG_N],
            [[0, 0, 0], [0, 1, 0]], "s32", ["x", "z"]),
    example("argmax-high-u32", lambda a: nx.argmax(a, tie_break="high", axis="y", type=nx.u32),
            [ARG_N], [[0, 0, 1], [0, 1, 1]], "u32", ["x", "z"]),
    example("argmax-keep", lambda a: nx.argmax(a, axis="y", keep_axis=True), [ARG_N],
            [[[0, 0, 0]], [[0, 1, 0]]], "s32", XYZ),
    example("argmin-scalar", lambda a: nx.argmin(a), [4], 0, "s32"),
    example("argmin-flat", lambda a: nx.argmin(a), [ARG], 4, "s32"),
    example("argmin-floats", lambda a: nx.argmin(a), [t([2.0, 4.0])], 0, "s32"),
    example("argmin-nan", lambda a: nx.argmin(a), [t([2.0, NAN, 4.0])], 1, "s32"),
    example("argmin-axis0", lambda a: nx.argmin(a, axis=0), [ARG], [[0, 0, 0], [0, 0, 0]],
            "s32"),
    example("argmin-axis1", lambda a: nx.argmin(a, axis=1), [ARG_N], [[1, 1, 0], [1, 0, 0]],
            "s32", ["x", "z"]),
    example("argmin-z", lambda a: nx.argmin(a, axis="z"), [ARG_N], [[1, 1], [1, 2]], "s32",
            ["x", "y"]),
    example("argmin-low", lambda a: nx.argmin(a, tie_break="low", axis="y"), [ARG_N],
            [[1, 1, 0], [1, 0, 0]], "s32", ["x", "z"]),
    example("argmin-high-u32", lambda a: nx.argmin(a, tie_break="high", axis="y", type=nx.u32),
            [ARG_N], [[1, 1, 1], [1, 0, 1]], "u32", ["x", "z"]),
    example("argmin-keep", lambda a: nx.argmin(a, axis="y", keep_axis=True), [ARG_N],
            [[[1, 1, 0]], [[1, 0, 0]]], "s32", XYZ),
    # all / any
    example("all-vector", lambda a: nx.all(a), [t([0, 1, 2])], 0, "u8"),
    example("all-x", lambda a: nx.all(a, axes=["x"]),
            [t([[-1, 0, 1], [2, 3, 4]], names=["x", "y"])], [1, 0, 1], "u8", ["y"]),
    example("all-y-keep", lambda a: nx.all(a, axes=["y"], keep_axes=True),
            [t([[-1, 0, 1], [2, 3, 4]], names=["x", "y"])], [[0], [1]], "u8", ["x", "y"]),
    example("any-vector", lambda a: nx.any(a), [t([0, 1, 2])], 1, "u8"),
    example("any-x", lambda a: nx.any(a, axes=["x"]),
            [t([[0, 1, 0], [0, 1, 2]], names=["x", "y"])], [0, 1, 1], "u8", ["y"]),
    # all_close
    example("all_close-far", lambda a, b: nx.all_close(a, b),
            [t([1.0e10, 1.0e-7]), t([1.00001e10, 1.0e-8])], 0, "u8"),
    example("all_close-near", lambda a, b: nx.all_close(a, b),
            [t([1.0e-8, 1.0e-8]), t([1.0e-8, 1.0e-9])], 1, "u8"),
    example("all_close-nan", lambda a, b: nx.all_close(a, b), [t(NAN), t(NAN)], 0, "u8"),
    example("all_close-nan-zero", lambda a, b: nx.all_close(a, b), [t(NAN), t(0)], 0, "u8"),
    example("all_close-equal_nan", lambda a: nx.all_close(a, a, equal_nan=True), [t([NAN, 1])],
            1, "u8"),
    example("all_close-not-equal_nan", lambda a: nx.all_close(a, a, equal_nan=False),
            [t([NAN, 1])], 0, "u8"),
    example("all_close-inf", lambda a, b: nx.all_close(a, b), [t(INF), t(INF)], 1, "u8"),
    example("all_close-inf-neg", lambda a, b: nx.all_close(a, b), [t(INF), t(-INF)], 0, "u8"),
    example("all_close-big-inf", lambda a, b: nx.all_close(a, b), [t(1.0e30), t(INF)], 0, "u8"),
    example("all_close-s8-min",
            lambda a, b: nx.all_close(nx.left_shift(a, b), nx.left_shift(a, b)),
            [t([[5, 6], [7, 8]], "s8"), t([[1, 2], [3, 4]], "s8")], 1, "u8"),
    # weighted_mean
    example("weighted_mean-scalar", lambda a, w: nx.weighted_mean(a, w), [t(42), t(2)], 42.0,
            "f32"),
    example("weighted_mean-vector", lambda a, w: nx.weighted_mean(a, w),
            [t([1, 2, 3]), t([3, 2, 1])], 1.6666666, "f32"),
    example("weighted_mean-axis0", lambda a, w: nx.weighted_mean(a, w, axes=[0]),
            [t([1, 2, 3], names=["x"]), t([4, 5, 6])], 2.1333334, "f32"),
    example("weighted_mean-u8", lambda a, w: nx.weighted_mean(a, w, axes=["x"]),
            [t([1, 2, 3], "u8", ["x"]), t([1, 3, 5])], 2.4444444, "f32"),
    example("weighted_mean-row-weights", lambda a, w: nx.weighted_mean(a, w, axes=[1]),
            [nx.iota((3, 4)), t([1, 2, 3, 4])], [2.0, 6.0, 10.0], "f32"),
    example("weighted_mean-two-axes", lambda a, w: nx.weighted_mean(a, w, axes=[1, 2]),
            [nx.iota((2, 4, 4, 1)), nx.broadcast(2, (4, 4))], [[7.5], [23.5]], "f32"),
    example("weighted_mean-keep", lambda a, w: nx.weighted_mean(a, w, axes=[-1], keep_axes=True),
            [IOTA, t([[[0, 1, 2], [1, 1, 0]], [[-1, 1, -1], [1, 1, -1]]])],
            [[[1.6666666], [3.5]], [[7.0], [8.0]]], "f32", XYZ),
    # median
    example("median-scalar", lambda a: nx.median(a), [t(42)], 42, "s32"),
    example("median-odd", lambda a: nx.median(a), [t([1, 2, 3])], 2, "s32"),
    example("median-even", lambda a: nx.median(a), [t([1, 2])], 1.5, "f32"),
    example("median-iota", lambda a: nx.median(a), [nx.iota((2, 3, 3))], 8.5, "f32"),
    example("median-axis0", lambda a: nx.median(a, axis=0),
            [t([[1, 2, 3], [4, 5, 6]], names=["x", "y"])], [2.5, 3.5, 4.5], "f32", ["y"]),
    example("median-y", lambda a: nx.median(a, axis="y"),
            [t([[1, 2, 3], [4, 5, 6]], names=["x", "y"])], [2, 5], "s32", ["x"]),
    example("median-x", lambda a: nx.median(a, axis="x"), [IOTA],
            [[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], "f32", ["y", "z"]),
    example("median-last", lambda a: nx.median(a, axis=-1), [MED], [[2, 3], [4, 7]], "s32"),
    example("median-keep", lambda a: nx.median(a, axis=-1, keep_axis=True), [MED],
            [[[2], [3]], [[4], [7]]], "s32"),
    # mode
    example("mode-scalar", lambda a: nx.mode(a), [t(42)], 42, "s32"),
    example("mode-one", lambda a: nx.mode(a), [t([[1]])], 1, "s32"),
    example("mode-vector", lambda a: nx.mode(a), [t([1, 2, 2, 3, 5])], 2, "s32"),
    example("mode-all", lambda a: nx.mode(a), [MODE], 1, "s32"),
    example("mode-axis0", lambda a: nx.mode(a, axis=0), [MODE], [1, 1, 2, 3, 1], "s32"),
    example("mode-axis1", lambda a: nx.mode(a, axis=1), [MODE], [2, 1], "s32"),
    example("mode-size-one-axis", lambda a: nx.mode(a, axis=1), [t([[[1]]])], [[1]], "s32"),
    example("mode-keep", lambda a: nx.mode(a, axis=1, keep_axis=True), [MODE], [[2], [1]],
            "s32"),
    # variance / standard_deviation / covariance
    example("variance", lambda a: nx.variance(a), [P], 1.25, "f32"),
    example("variance-ddof", lambda a: nx.variance(a, ddof=1), [P], 1.6666666, "f32"),
    example("variance-axis0", lambda a: nx.variance(a, axes=[0]), [P], [1.0, 1.0], "f32"),
    example("variance-axis1", lambda a: nx.variance(a, axes=[1]), [P], [0.25, 0.25], "f32"),
    example("variance-axis0-ddof", lambda a: nx.variance(a, axes=[0], ddof=1), [P], [2.0, 2.0],
            "f32"),
    example("variance-axis1-ddof", lambda a: nx.variance(a, axes=[1], ddof=1), [P], [0.5, 0.5],
            "f32"),
    example("variance-keep", lambda a: nx.variance(a, axes=[1], keep_axes=True), [P],
            [[0.25], [0.25]], "f32"),
    example("standard_deviation", lambda a: nx.standard_deviation(a), [P], 1.118034, "f32"),
    example("standard_deviation-ddof", lambda a: nx.standard_deviation(a, ddof=1), [P],
            1.2909944, "f32"),
    example("standard_deviation-axis0", lambda a: nx.standard_deviation(a, axes=[0]), [SD],
            [4.5, 9.0], "f32"),
    example("standard_deviation-axis1", lambda a: nx.standard_deviation(a, axes=[1]), [SD],
            [0.5, 5.0], "f32"),
    example("standard_deviation-axis0-ddof",
            lambda a: nx.standard_deviation(a, axes=[0], ddof=1), [SD], [6.363961, 12.727922],
            "f32"),
    example("standard_deviation-axis1-ddof",
            lambda a: nx.standard_deviation(a, axes=[1], ddof=1), [SD], [0.70710677, 7.071068],
            "f32"),
    example("standard_deviation-keep", lambda a: nx.standard_deviation(a, keep_axes=True), [SD],
            [[7.628073]], "f32"),
    example("covariance", lambda a: nx.covariance(a), [t([[1, 2], [3, 4], [5, 6]])],
            [[2.6666667, 2.6666667], [2.6666667, 2.6666667]], "f32"),
    example("covariance-batched", lambda a: nx.covariance(a),
            [t([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]])],
            [[[2.6666667, 2.6666667], [2.6666667, 2.6666667]],
             [[2.6666667, 2.6666667], [2.6666667, 2.6666667]]], "f32"),
    example("covariance-ddof", lambda a: nx.covariance(a, ddof=1),
            [t([[1, 2], [3, 4], [5, 6]])], [[4.0, 4.0], [4.0, 4.0]], "f32"),
    example("covariance-mean", lambda a, m: nx.covariance(a, m),
            [t([[1, 2], [3, 4], [5, 6]]), t([4, 3])],
            [[3.6666667, 1.6666666], [1.6666666, 3.6666667]], "f32"),
    # reduce (the reducer gets (element, acc))
    example("reduce-scalar", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y)), [t(42)], 42,
            "s32"),
    example("reduce-vector", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y)),
            [t([1, 2, 3])], 6, "s32"),
    example("reduce-floats", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y)),
            [t([[1.0, 2.0], [3.0, 4.0]])], 10.0, "f32"),
    example("reduce-named-axis", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y), axes=["x"]),
            [t([1, 2, 3], names=["x"])], 6, "s32"),
    example("reduce-x", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y), axes=["x"]), [R],
            [[8, 10, 12], [14, 16, 18]], "s32", ["y", "z"]),
    example("reduce-y", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y), axes=["y"]), [R],
            [[5, 7, 9], [17, 19, 21]], "s32", ["x", "z"]),
    example("reduce-x2", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y), axes=["x", 2]),
            [R], [30, 48], "s32", ["y"]),
    example("reduce-last", lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y), axes=[-1]), [R],
            [[6, 15], [24, 33]], "s32", ["x", "y"]),
    example("reduce-keep",
            lambda a: nx.reduce(a, 0, lambda x, y: nx.add(x, y), axes=["x"], keep_axes=True),
            [R], [[[8, 10, 12], [14, 16, 18]]], "s32", XYZ),
    # window_reduce (the accumulator pads)
    example("window_reduce-max",
            lambda a: nx.window_reduce(a, -2147483648, (2, 2), lambda x, acc: nx.max(x, acc)),
            [t([[1, 2, 3, 4], [4, 5, 6, 7], [7, 8, 9, 10], [11, 12, 13, 14]])],
            [[5, 6, 7], [8, 9, 10], [12, 13, 14]], "s32"),
    example("window_reduce-max-same",
            lambda a: nx.window_reduce(a, -2147483648, (2, 2), lambda x, acc: nx.max(x, acc),
                                       padding="same", strides=(1, 1)),
            [t([[1, 2, 3], [4, 5, 6], [7, 8, 9]])], [[5, 6, 6], [8, 9, 9], [8, 9, 9]], "s32"),
    example("window_reduce-add-same",
            lambda a: nx.window_reduce(a, 0, (1, 2), lambda x, acc: nx.add(x, acc),
                                       padding="same", strides=(1, 1)),
            [t([[1, 2, 3], [4, 5, 6]])], [[3, 5, 3], [9, 11, 6]], "s32"),
    example("window_reduce-dilations",
            lambda a: nx.window_reduce(a, 0, (1, 1, 2), lambda x, acc: nx.add(x, acc),
                                       padding="valid", strides=(2, 1, 1),
                                       window_dilations=(1, 1, 2)),
            [t([[[4, 2, 1, 3], [4, 2, 1, 7]], [[1, 2, 5, 7], [1, 8, 9, 2]]])],
            [[[5, 5], [5, 9]]], "s32"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)


def test_reduce_takes_a_defn_and_a_type():
    total = nx.reduce(t([1, 2, 3]), 0, add, type=nx.f64)
    assert total.dtype == nx.f64 and float(total) == 6.0
    # The promoted type of tensor and accumulator: an s32 tensor with a float acc is f32.
    assert nx.reduce(t([1, 2]), 0.5, add).dtype == nx.f32


def test_reduce_rejects_a_non_scalar_reducer_and_is_not_differentiable():
    with pytest.raises(nx.ShapeError, match="scalar"):
        nx.reduce(t([1, 2]), 0, lambda x, acc: nx.stack([x, acc]))
    with pytest.raises(nx.NxcError, match="cannot differentiate through reduce"):
        nx.grad(lambda x: nx.reduce(x, 0.0, lambda e, acc: nx.add(e, acc)))(t([1.0, 2.0]))


def test_reduce_and_window_reduce_batch_over_the_tensor():
    x = t([[1, 2, 3], [4, 5, 6]])
    got = nx.vmap(lambda v: nx.reduce(v, 10, lambda e, acc: nx.add(e, acc)))(x)
    assert got.tolist() == [16, 25]
    got = nx.vmap(lambda v: nx.window_reduce(v, 0, (2,), lambda e, acc: nx.max(e, acc)))(x)
    assert got.tolist() == [[2, 3], [5, 6]]
