"""The Python side of indexing, the shape functions and conv: slices with tensor
starts under grad and vmap, and the errors a user can trigger (each a typed nxc
error naming what was expected)."""
import numpy as np
import pytest

import nxc as nx


def test_tensor_starts_clamp_and_differentiate():
    x = np.arange(12.0).reshape(3, 4)

    def f(x, i):
        return nx.sum(nx.multiply(nx.slice(x, [i, 1], [2, 2]), nx.tensor([[1.0, 2.0], [3.0, 4.0]])))

    assert float(f(x, np.int32(5))) == (5 + 2 * 6 + 3 * 9 + 4 * 10)  # start 5 clamps to 1
    g = nx.grad(f)(x, np.int32(0))
    want = np.zeros((3, 4))
    want[0:2, 1:3] = [[1, 2], [3, 4]]
    np.testing.assert_array_equal(np.asarray(g), want)


def test_tensor_starts_under_vmap():
    x = np.arange(10, dtype=np.int32)
    out = nx.vmap(lambda i: nx.slice(x, [i], [3]), in_axes=0)(np.array([0, 4, 9], np.int32))
    assert out.tolist() == [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
    put = nx.vmap(lambda i: nx.put_slice(x, [i], nx.tensor([-1, -2])))(np.array([0, 9], np.int32))
    assert put.tolist() == [[-1, -2, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, -1, -2]]


def test_gather_gradient_adds_up_repeated_indices():
    g = nx.grad(lambda t: nx.sum(nx.take(t, nx.tensor([0, 2, 0, 5]))))(np.zeros(3))
    assert g.tolist() == [2.0, 0.0, 2.0]  # index 5 clamps to 2


@pytest.mark.parametrize("call, error, match", [
    (lambda: nx.slice(nx.iota((3,)), [nx.tensor(1.0)], [1]), nx.ArgumentError,
     "integer scalar tensors"),
    (lambda: nx.slice(nx.iota((3,)), [nx.tensor([1])], [1]), nx.ArgumentError,
     "integer scalar tensors"),
    (lambda: nx.take(nx.iota((3,)), nx.tensor([1.0])), nx.DTypeError, "must be an integer"),
    (lambda: nx.gather(nx.iota((3,)), nx.tensor([[0.0]])), nx.DTypeError, "must be an integer"),
    (lambda: nx.gather(nx.iota((2, 2)), nx.tensor([[0, 0]]), axes=[1, 0]), nx.ShapeError,
     "ordered list"),
    (lambda: nx.gather(nx.iota((2, 2)), nx.tensor([[0, 0]]), axes=[1]), nx.ShapeError,
     "as many entries"),
    (lambda: nx.indexed_add(nx.iota((2,)), nx.tensor([[[0]]]), nx.tensor([1])), nx.ShapeError,
     "rank 1 or 2"),
    (lambda: nx.indexed_put(nx.iota((2, 3)), nx.tensor([[0]]), nx.tensor([[1, 2, 3, 4]])),
     nx.ShapeError, "at most the size"),
    (lambda: nx.take_along_axis(nx.iota((2, 3)), nx.tensor([[0]]), axis=1), nx.ShapeError,
     "must match"),
    (lambda: nx.iota((3,))[nx.tensor(0.5)], nx.ArgumentError, "indexed with ints"),
    (lambda: nx.slice(nx.iota((3, 4)), [nx.tensor(1), 0], [5, 2]), nx.ShapeError,
     "length 5 exceeds the axis size 3"),
    (lambda: nx.put_slice(nx.iota((2,)), [nx.tensor(0)], nx.iota((3,))), nx.ShapeError,
     "length 3 exceeds the axis size 2"),
    (lambda: nx.flatten(nx.iota((1, 2, 3)), axes=[0, 2]), nx.ArgumentError, "consecutive"),
    (lambda: nx.tile(nx.iota((2,)), [1, 1.0]), nx.ArgumentError, "list of integers"),
    (lambda: nx.split(nx.iota((4,)), 4), nx.ShapeError, "empty part"),
    (lambda: nx.split(nx.iota((4,)), 0.99), nx.ShapeError, "empty part"),
    (lambda: nx.diff(nx.iota((4,)), order=-1), nx.ArgumentError, "order must be"),
    (lambda: nx.diff(nx.tensor(1)), nx.ShapeError, "scalar"),
    (lambda: nx.pad_edge(nx.iota((3,)), [(1, 1)], mode="wrap"), nx.ArgumentError, "mode"),
    (lambda: nx.conv(nx.iota((1, 2, 4)), nx.iota((1, 3, 2))), nx.ShapeError,
     "input channels"),
    (lambda: nx.conv(nx.iota((1, 4, 4)), nx.iota((3, 2, 2)), feature_group_size=2),
     nx.ShapeError, "divisible"),
    (lambda: nx.conv(nx.iota((1, 1, 4)), nx.iota((1, 1, 2)), padding="full"), nx.ArgumentError,
     "padding"),
    (lambda: nx.conv(nx.iota((1, 4)), nx.iota((1, 4))), nx.ShapeError, "at least 3"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_an_axis_empty_at_run_time_gathers_zeros_and_takes_no_writes(tmp_path):
    from nxc.compiler.codegen import compile_cached
    from nxc.compiler.ir import dtypes as T
    from nxc.compiler.ir.builder import Builder
    from nxc.compiler.ir.core import Module
    from nxc.compiler.ir.interpreter import run_function
    from nxc.compiler.ir.types import Dim, TensorType
    from nxc.runtime import load

    m, b = Module(name="empty_axis"), Builder()
    x_t, i_t = TensorType(T.f32, (Dim("n"), 2)), TensorType(T.s32, (3, 1))
    for name, op, extra in (("g", "gather", []), ("a", "indexed_add", [TensorType(T.f32, (3, 2))])):
        fn = b.function(m, name, [x_t, i_t] + extra)
        with b.at(fn.body):
            b.terminate("return", [b.op(op, *fn.params)])
    art = load(compile_cached(m, cache_dir=str(tmp_path)))
    x, i = np.zeros((0, 2), np.float32), np.array([[0], [5], [-1]], np.int32)
    u = np.ones((3, 2), np.float32)
    for name, args in (("g", (x, i)), ("a", (x, i, u))):
        (want,) = run_function(m[name], *args)
        got = np.asarray(getattr(art, name)(*args))
        assert got.shape == want.shape and (got == want).all() and not got.any()
    assert art.g(np.ones((2, 2), np.float32), i).tolist() == [[1.0, 1.0]] * 3
