"""Nx's documentation examples of creation functions and Nx.Constants (nx.ex,
nx/constants.ex), eagerly and compiled (nxex.check); then nxc's own checks of
linspace, fill/full/zeros/ones and from_numpy, which Nx documents differently
or not at all.

Departures (docs/ops-departures.md): Nx shows max_finite(s16) as 32677 and
min_finite(s16) as -32678, misprints of 32767 and -32768; Nx truncates e and
euler_gamma to bf16 (2.703125, 0.57421875) where nxc rounds to nearest
(2.71875, 0.578125).
"""
import math

import numpy as np
import pytest

import nxc as nx
from nxex import check, example

INF, NAN = math.inf, math.nan
C = nx.constants


def t(data, type=None, names=None):
    return nx.tensor(data, dtype=type, names=names)


def _constant(fn, type):
    """A defn-readable function of no arguments returning fn(type)."""
    def constant():
        return fn(type)
    return constant


CONSTANTS = [
    ("nan", "bf16", NAN), ("nan", "f16", NAN), ("nan", "f32", NAN), ("nan", "f64", NAN),
    ("infinity", "bf16", INF), ("infinity", "f16", INF), ("infinity", "f32", INF),
    ("infinity", "f64", INF),
    ("neg_infinity", "bf16", -INF), ("neg_infinity", "f16", -INF), ("neg_infinity", "f32", -INF),
    ("neg_infinity", "f64", -INF),
    ("max_finite", "u8", 255), ("max_finite", "s16", 32767),
    ("max_finite", "f32", 3.4028234663852886e38),
    ("max", "u8", 255), ("max", "f32", INF),
    ("min_finite", "u8", 0), ("min_finite", "s16", -32768),
    ("min_finite", "f32", -3.4028234663852886e38),
    ("min", "u8", 0), ("min", "f32", -INF),
    ("smallest_positive_normal", "f64", 2.2250738585072014e-308),
    ("smallest_positive_normal", "f32", 1.1754943508222875e-38),
    ("smallest_positive_normal", "f16", 6.103515625e-5),
    ("smallest_positive_normal", "bf16", 1.1754943508222875e-38),
    ("pi", "f64", 3.141592653589793), ("pi", "f32", 3.1415927410125732),
    ("pi", "f16", 3.140625), ("pi", "bf16", 3.140625),
    ("e", "f64", 2.718281828459045), ("e", "f32", 2.7182817459106445), ("e", "f16", 2.71875),
    ("e", "bf16", 2.71875),
    ("euler_gamma", "f64", 0.5772156649015329), ("euler_gamma", "f32", 0.5772156715393066),
    ("euler_gamma", "f16", 0.5771484375), ("euler_gamma", "bf16", 0.578125),
    ("i", "c64", 1j), ("i", "c128", 1j),
]


def _constant_examples():
    for name, type, value in CONSTANTS:
        yield example(f"constants.{name}-{type}", _constant(getattr(C, name), type), [], value,
                      type, rtol=0)


EXAMPLES = [
    *_constant_examples(),
    # iota
    example("iota-scalar", lambda: nx.iota(()), [], 0, "s32"),
    example("iota-vector", lambda: nx.iota((5,)), [], [0, 1, 2, 3, 4], "s32"),
    example("iota-names", lambda: nx.iota((3, 2, 3), names=["batch", "height", "width"]), [],
            [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]], [[12, 13, 14], [15, 16, 17]]],
            "s32", ["batch", "height", "width"]),
    example("iota-axis", lambda: nx.iota((3, 3), axis=1, names=["batch", None]), [],
            [[0, 1, 2]] * 3, "s32", ["batch", None]),
    example("iota-negative-axis", lambda: nx.iota((3, 3), axis=-1), [], [[0, 1, 2]] * 3, "s32"),
    example("iota-f64", lambda: nx.iota((3, 4, 3), axis=0, type=nx.f64), [],
            [[[float(i)] * 3] * 4 for i in range(3)], "f64"),
    example("iota-last-axis", lambda: nx.iota((1, 3, 2), axis=2), [], [[[0, 1]] * 3], "s32"),
    # eye
    example("eye-2", lambda: nx.eye(2), [], [[1, 0], [0, 1]], "s32"),
    example("eye-names", lambda: nx.eye(3, type=nx.f32, names=["height", "width"]), [],
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], "f32", ["height", "width"]),
    example("eye-shape", lambda: nx.eye((1, 2)), [], [[1, 0]], "s32"),
    example("eye-batch", lambda: nx.eye((2, 4, 3)), [],
            [[[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]] * 2, "s32"),
    # tril / triu / tri
    example("tril", lambda a: nx.tril(a), [t([[1, 2, 3], [4, 5, 6], [7, 8, 9]])],
            [[1, 0, 0], [4, 5, 0], [7, 8, 9]], "s32"),
    example("tril-k", lambda a: nx.tril(a, k=1), [t([[1, 2, 3], [4, 5, 6], [7, 8, 9]])],
            [[1, 2, 0], [4, 5, 6], [7, 8, 9]], "s32"),
    example("tril-batch", lambda a: nx.tril(a), [nx.iota((2, 3, 4))],
            [[[0, 0, 0, 0], [4, 5, 0, 0], [8, 9, 10, 0]],
             [[12, 0, 0, 0], [16, 17, 0, 0], [20, 21, 22, 0]]], "s32"),
    example("triu", lambda a: nx.triu(a), [t([[1, 2, 3], [4, 5, 6], [7, 8, 9]])],
            [[1, 2, 3], [0, 5, 6], [0, 0, 9]], "s32"),
    example("triu-k", lambda a: nx.triu(a, k=1), [t([[1, 2, 3], [4, 5, 6], [7, 8, 9]])],
            [[0, 2, 3], [0, 0, 6], [0, 0, 0]], "s32"),
    example("triu-batch", lambda a: nx.triu(a), [nx.iota((2, 3, 4))],
            [[[0, 1, 2, 3], [0, 5, 6, 7], [0, 0, 10, 11]],
             [[12, 13, 14, 15], [0, 17, 18, 19], [0, 0, 22, 23]]], "s32"),
    example("tri", lambda: nx.tri(3, 3), [], [[1, 0, 0], [1, 1, 0], [1, 1, 1]], "u8"),
    example("tri-k", lambda: nx.tri(3, 3, k=1), [], [[1, 1, 0], [1, 1, 1], [1, 1, 1]], "u8"),
    # take_diagonal
    example("take_diagonal", lambda a: nx.take_diagonal(a),
            [t([[0, 1, 2], [3, 4, 5], [6, 7, 8]])], [0, 4, 8], "s32"),
    example("take_diagonal-offset", lambda a: nx.take_diagonal(a, offset=1), [nx.iota((3, 3))],
            [1, 5], "s32"),
    example("take_diagonal-negative", lambda a: nx.take_diagonal(a, offset=-1),
            [nx.iota((3, 3))], [3, 7], "s32"),
    example("take_diagonal-batch", lambda a: nx.take_diagonal(a), [nx.iota((3, 2, 2))],
            [[0, 3], [4, 7], [8, 11]], "s32"),
    example("take_diagonal-batch-offset", lambda a: nx.take_diagonal(a, offset=-1),
            [nx.iota((3, 2, 2))], [[2], [6], [10]], "s32"),
    # make_diagonal
    example("make_diagonal", lambda a: nx.make_diagonal(a), [t([1, 2, 3, 4])],
            [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 4]], "s32"),
    example("make_diagonal-offset", lambda a: nx.make_diagonal(a, offset=1), [t([1, 2, 3])],
            [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3], [0, 0, 0, 0]], "s32"),
    example("make_diagonal-negative", lambda a: nx.make_diagonal(a, offset=-1), [t([1, 2, 3])],
            [[0, 0, 0, 0], [1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0]], "s32"),
    example("make_diagonal-far-below", lambda a: nx.make_diagonal(a, offset=-4), [t([1, 2, 3])],
            [[0] * 7] * 4 + [[1, 0, 0, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0, 0],
                             [0, 0, 3, 0, 0, 0, 0]], "s32"),
    example("make_diagonal-far-above", lambda a: nx.make_diagonal(a, offset=4), [t([1, 2, 3])],
            [[0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 2, 0], [0, 0, 0, 0, 0, 0, 3]]
            + [[0] * 7] * 4, "s32"),
    # put_diagonal
    example("put_diagonal", lambda a, d: nx.put_diagonal(a, d),
            [nx.broadcast(0, (4, 4)), t([1, 2, 3, 4])],
            [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 4]], "s32"),
    example("put_diagonal-tall", lambda a, d: nx.put_diagonal(a, d),
            [nx.broadcast(0, (4, 3)), t([1, 2, 3])],
            [[1, 0, 0], [0, 2, 0], [0, 0, 3], [0, 0, 0]], "s32"),
    example("put_diagonal-offset", lambda a, d: nx.put_diagonal(a, d, offset=1),
            [nx.broadcast(0, (4, 4)), t([1, 2, 3])],
            [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3], [0, 0, 0, 0]], "s32"),
    example("put_diagonal-tall-offset", lambda a, d: nx.put_diagonal(a, d, offset=1),
            [nx.broadcast(0, (4, 3)), t([1, 2])],
            [[0, 1, 0], [0, 0, 2], [0, 0, 0], [0, 0, 0]], "s32"),
    example("put_diagonal-negative", lambda a, d: nx.put_diagonal(a, d, offset=-1),
            [nx.broadcast(0, (4, 4)), t([1, 2, 3])],
            [[0, 0, 0, 0], [1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0]], "s32"),
    example("put_diagonal-tall-negative", lambda a, d: nx.put_diagonal(a, d, offset=-1),
            [nx.broadcast(0, (4, 3)), t([1, 2, 3])],
            [[0, 0, 0], [1, 0, 0], [0, 2, 0], [0, 0, 3]], "s32"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)


@pytest.mark.parametrize("call, message", [
    (lambda: nx.tril(nx.iota((6,))), "at least 2 dimensions"),
    (lambda: nx.triu(nx.iota((6,))), "at least 2 dimensions"),
    (lambda: nx.take_diagonal(t([0, 1, 2])), "rank 2 or higher"),
    (lambda: nx.take_diagonal(nx.iota((3, 3)), offset=3),
     "offset must be less than length of axis 1 when positive, got: 3"),
    (lambda: nx.take_diagonal(nx.iota((3, 3)), offset=-4),
     "absolute value of offset must be less than length of axis 0 when negative, got: -4"),
    (lambda: nx.make_diagonal(t([[0, 0], [0, 1]])), "rank 1"),
    (lambda: nx.put_diagonal(nx.iota((3, 3, 3)), nx.iota((3,))), "rank 2"),
    (lambda: nx.put_diagonal(nx.iota((3, 3)), nx.iota((3, 3))), "rank 1"),
    (lambda: nx.put_diagonal(nx.iota((3, 3)), nx.iota((2,))),
     "expected diagonal tensor of length: 3, got diagonal tensor of length: 2"),
    (lambda: nx.put_diagonal(nx.iota((3, 3)), nx.iota((3,)), offset=1),
     "expected diagonal tensor of length: 2, got diagonal tensor of length: 3"),
    (lambda: nx.put_diagonal(nx.iota((3, 3)), nx.iota((3,)), offset=4),
     "offset must be less than length of axis 1 when positive, got: 4"),
])
def test_nx_error_examples(call, message):
    with pytest.raises(nx.ShapeError, match=message):
        call()


@pytest.mark.parametrize("fn", [C.pi, C.e, C.euler_gamma, C.nan, C.epsilon,
                                C.smallest_positive_normal])
def test_float_constants_reject_integer_types(fn):
    with pytest.raises(nx.DTypeError, match="s32"):
        fn(nx.s32)


def test_constant_defaults_and_epsilon():
    assert C.pi().dtype == nx.f32 and C.nan().dtype == nx.f32 and C.i().dtype == nx.c64
    assert [C.epsilon(ty).item() for ty in ("f64", "f32", "f16", "bf16")] == [
        2.220446049250313e-16, 1.1920928955078125e-07, 0.0009765625, 0.0078125]
    with pytest.raises(nx.DTypeError, match="complex"):
        C.i(nx.f32)


# ---------------------------------------------------------------------------
# linspace, fill/full/zeros/ones, from_numpy: nxc's checks
# ---------------------------------------------------------------------------

def _both(fn, *args):
    eager, compiled = fn(*args), nx.defn(fn)(*args)
    assert eager.dtype == compiled.dtype and eager.names == compiled.names
    return eager, compiled


def test_linspace():
    for got in _both(lambda: nx.linspace(0, 10, n=5)):
        assert got.dtype == nx.f32 and got.tolist() == [0.0, 2.5, 5.0, 7.5, 10.0]
    for got in _both(lambda: nx.linspace(0, 10, n=5, endpoint=False, name="x")):
        assert got.names == ("x",) and got.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    for got in _both(lambda: nx.linspace(5, 8, n=5, type=nx.s64)):
        assert got.dtype == nx.s64 and got.tolist() == [5, 5, 6, 7, 8]  # truncated
    start, stop = t([[[0, 10]]]), t([[[10, 100]]])
    for got in _both(lambda a, b: nx.linspace(a, b, n=10, name="samples", type=nx.u8),
                     start, stop):
        assert got.type == nx.TensorType(nx.u8, (1, 1, 2, 10), (None, None, None, "samples"))
        assert got.tolist() == [[[[0, 1, 2, 3, 4, 5, 6, 7, 8, 10],
                                  [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]]]]
    assert nx.linspace(3.0, 4.0, n=1).tolist() == [3.0]
    with pytest.raises(nx.ShapeError, match="same shape"):
        nx.linspace(nx.iota((2,)), nx.iota((3,)), n=3)
    with pytest.raises(nx.ArgumentError, match="n >= 1"):
        nx.linspace(0, 1, n=0)


def test_fill_full_zeros_ones():
    x = t([[1, 2, 3], [4, 5, 6]], names=["rows", None])
    for got in _both(lambda a: nx.fill(a, 5), x):
        assert got.type == x.type and got.tolist() == [[5] * 3] * 2
    for got in _both(lambda a: nx.fill(a, 1.5, type=nx.f64), x):
        assert got.dtype == nx.f64 and got.names == ("rows", None)
    for got in _both(lambda: nx.full((2,), 1.5)):
        assert got.dtype == nx.f32 and got.tolist() == [1.5, 1.5]
    for got in _both(lambda: nx.full((2,), 7)):
        assert got.dtype == nx.s32
    for got in _both(lambda: nx.zeros((2, 1), type=nx.u8)):
        assert got.dtype == nx.u8 and got.tolist() == [[0], [0]]
    for got in _both(lambda: nx.ones((2,))):
        assert got.dtype == nx.f32 and got.tolist() == [1.0, 1.0]
    for got in _both(lambda a: nx.zeros_like(a), x):
        assert got.type == x.type and got.tolist() == [[0] * 3] * 2
    for got in _both(lambda a: nx.ones_like(a, type=nx.c64), x):
        assert got.dtype == nx.c64 and got.tolist() == [[1 + 0j] * 3] * 2
    for got in _both(lambda a: nx.full_like(a, -1), x):
        assert got.type == x.type and got.tolist() == [[-1] * 3] * 2


def test_from_numpy(tmp_path):
    a = np.arange(6, dtype=np.int16).reshape(2, 3)
    got = nx.from_numpy(a, names=["x", None])
    assert got.type == nx.TensorType(nx.s16, (2, 3), ("x", None))
    a[0, 0] = 99  # the tensor holds a copy
    assert got.tolist() == [[0, 1, 2], [3, 4, 5]]
    path = tmp_path / "data.npy"
    np.save(path, np.array([1.5, 2.5], np.float64))
    assert nx.from_numpy(str(path)).tolist() == [1.5, 2.5]
    assert nx.from_numpy(path).dtype == nx.f64
    with pytest.raises(nx.ArgumentError, match="numpy array"):
        nx.from_numpy([1, 2])
