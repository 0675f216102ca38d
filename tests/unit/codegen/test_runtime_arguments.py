"""Calling compiled functions: accepted argument forms, the checks, the results."""
import threading

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime import set_result_wrapper
from nxc.runtime.errors import ArgumentError
from nxc.tensor import Tensor

N = Dim("n")


@pytest.fixture(scope="module")
def art(build):
    m = Module(name="calls")
    b = Builder()
    # scale(x: f32[rows: ?n][3], w: f32[3]) -> x * w
    fn = b.function(m, "scale", [TensorType(T.f32, (N, 3), ("rows", None)),
                                 TensorType(T.f32, (3,))], hints=["x", "w"])
    with b.at(fn.body):
        b.terminate("return", [b.op("multiply", *fn.params)])
    # pair(a: s32[?n], b: s32[?n]) -> (a + b, a - b)
    fn = b.function(m, "pair", [TensorType(T.s32, (N,)), TensorType(T.s32, (N,))],
                    hints=["a", "b"])
    with b.at(fn.body):
        a, c = fn.params
        b.terminate("return", [b.op("add", a, c), b.op("subtract", a, c)])
    # head(x: f64[?n]) -> x[1:4]: needs n >= 3
    fn = b.function(m, "head", [TensorType(T.f64, (N,))], hints=["x"])
    with b.at(fn.body):
        b.terminate("return", [b.op("slice", fn.params[0], start_indices=(1,),
                                    lengths=(3,))])
    # halve(s: f32) -> s / 2 ; flags(u: u8[4]) -> logical_not(u)
    fn = b.function(m, "halve", [TensorType(T.f32, ())], hints=["s"])
    with b.at(fn.body):
        b.terminate("return", [b.op("divide", fn.params[0], 2.0)])
    fn = b.function(m, "flags", [TensorType(T.u8, (4,))], hints=["u"])
    with b.at(fn.body):
        b.terminate("return", [b.op("logical_not", fn.params[0])])
    return build(m)


X = np.arange(12, dtype=np.float32).reshape(4, 3)
W = np.array([1.0, 0.5, -2.0], np.float32)


def test_results_are_tensors_with_axis_names(art):
    out = art.scale(X, W)
    assert isinstance(out, Tensor)
    assert out.names == ("rows", None)
    np.testing.assert_array_equal(np.asarray(out), X * W)


def test_several_results_are_a_tuple(art):
    a = np.array([5, 7], np.int32)
    b = np.array([1, 2], np.int32)
    s, d = art.pair(a, b=b)
    np.testing.assert_array_equal(np.asarray(s), [6, 9])
    np.testing.assert_array_equal(np.asarray(d), [4, 5])


def test_result_wrapper_hook(art):
    set_result_wrapper(lambda array, names: ("wrapped", array.shape, names))
    try:
        assert art.scale(X, W) == ("wrapped", (4, 3), ("rows", None))
    finally:
        set_result_wrapper(None)
    assert isinstance(art.scale(X, W), Tensor)


@pytest.mark.parametrize("x, message", [
    (X.astype(np.float64), r"scale: argument x must be f32\[rows: \?n\]\[3\], got an array "
                           r"of f64 with shape \(4, 3\)"),
    (X.reshape(12), r"argument x must be f32\[rows: \?n\]\[3\] \(rank 2\), got an array of "
                    r"rank 1 with shape \(12,\)"),
    (X[:, :2], r"argument x must be .*got shape \(4, 2\) \(axis 1 has size 2, expected 3\)"),
    ("text", r"argument x must be f32\[rows: \?n\]\[3\] \(a numpy array.*got str"),
])
def test_argument_errors_name_parameter_expected_and_found(art, x, message):
    with pytest.raises(ArgumentError, match=message):
        art.scale(x, W)


def test_symbolic_sizes_must_agree(art):
    with pytest.raises(ArgumentError, match=r"argument b axis 0 is dimension \?n, which "
                                            r"argument a set to 2, but it has size 3"):
        art.pair(np.zeros(2, np.int32), np.zeros(3, np.int32))


def test_size_constraints_are_checked_before_the_call(art):
    np.testing.assert_array_equal(np.asarray(art.head(np.arange(5.0))), [1.0, 2.0, 3.0])
    # n = 3: the slice of length 3 fits once its start clamps to 0, as in Nx
    np.testing.assert_array_equal(np.asarray(art.head(np.arange(3.0))), [0.0, 1.0, 2.0])
    with pytest.raises(ArgumentError, match=r"dimension \?n \(from argument x\) is 2, but "
                                            r"the function needs at least 3: slice"):
        art.head(np.arange(2.0))


def test_argument_count_and_keywords(art):
    with pytest.raises(ArgumentError, match=r"scale takes 2 argument\(s\) \(x, w\), got 3"):
        art.scale(X, W, W)
    with pytest.raises(ArgumentError, match="scale is missing argument"):
        art.scale(X)
    with pytest.raises(ArgumentError, match="scale has no parameter 'v'"):
        art.scale(X, v=W)
    with pytest.raises(ArgumentError, match="two values for parameter x"):
        art.scale(X, W, x=X)


def test_non_contiguous_inputs_are_read_correctly(art):
    big = np.arange(48, dtype=np.float32).reshape(8, 6)
    views = [big[::2, ::2], big[:4, 3:], big.T[:3].T[:5], np.asfortranarray(X)]
    for v in views:
        assert v.shape[1] == 3
        np.testing.assert_array_equal(np.asarray(art.scale(v, W)), v * W)
    np.testing.assert_array_equal(np.asarray(art.scale(X, W[::-1])), X * W[::-1])


def test_value_preserving_forms_are_accepted(art):
    # non-native byte order, numpy bool for u8, tensors, __array__ and __dlpack__ objects
    swapped = X.astype(X.dtype.newbyteorder())
    np.testing.assert_array_equal(np.asarray(art.scale(swapped, W)), X * W)
    u = np.array([True, False, True, False])
    np.testing.assert_array_equal(np.asarray(art.flags(u)), [0, 1, 0, 1])

    class HasArray:
        def __array__(self, dtype=None, copy=None):
            return W

    class HasDLPack:
        def __dlpack__(self, **kwargs):
            return X.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return X.__dlpack_device__()

    out = art.scale(HasDLPack(), HasArray())
    np.testing.assert_array_equal(np.asarray(out), X * W)
    np.testing.assert_array_equal(np.asarray(art.scale(Tensor(X), Tensor(W))), X * W)


def test_python_numbers_only_for_scalars_of_their_literal_type(art):
    assert float(np.asarray(art.halve(3.0))) == 1.5
    assert float(np.asarray(art.halve(np.float32(5)))) == 2.5
    with pytest.raises(ArgumentError, match=r"halve: argument s must be f32, got the Python "
                                            r"int 3 \(a s32 literal\)"):
        art.halve(3)
    with pytest.raises(ArgumentError, match="got the Python float"):
        art.scale(X, 1.0)


def test_zero_sized_inputs(art):
    out = art.scale(np.zeros((0, 3), np.float32), W)
    assert np.asarray(out).shape == (0, 3)


def test_calls_from_several_threads(art):
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(1000 + k, 3)).astype(np.float32) for k in range(8)]
    results = [None] * len(inputs)

    def work(k):
        for _ in range(20):
            results[k] = np.asarray(art.scale(inputs[k], W))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, r in zip(inputs, results):
        np.testing.assert_array_equal(r, x * W)


def test_signature_and_docstring(art):
    assert str(art.scale.signature) == "scale(x: f32[rows: ?n][3], w: f32[3]) -> f32[rows: ?n][3]"
    assert art.pair.__doc__.startswith("pair(a: s32[?n], b: s32[?n]) -> (s32[?n], s32[?n])")
    assert "scale" in dir(art)
    with pytest.raises(AttributeError, match="has no function 'nope'"):
        art.nope
