"""nx.vmap: eager calls, calls inside defn, nesting, symbolic signatures, and grad composition.

Oracles are Python loops over the entries (calling the unbatched function, or
computing it with numpy in float64).
"""
import numpy as np
import pytest

import nxc as nx
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.runtime.errors import ArgumentError, ShapeError

rng = np.random.default_rng(11)


@nx.defn
def predict(x, w):
    return nx.tanh(nx.dot(x, w))


@nx.defn
def row_loss(w, x):
    return nx.sum(nx.tanh(nx.dot(x, w)))


def test_vmap_of_a_defn_matches_a_loop():
    xs, w = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    got = nx.vmap(predict, in_axes=(0, None))(xs, w)
    assert got.shape == (5, 2)
    np.testing.assert_allclose(np.asarray(got), np.tanh(xs @ w), rtol=1e-12)


def test_out_axes_and_batch_on_another_axis():
    xs, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
    got = nx.vmap(predict, in_axes=(1, None), out_axes=1)(xs, w)
    np.testing.assert_allclose(np.asarray(got), np.tanh(xs.T @ w).T, rtol=1e-12)


def test_vmap_of_a_python_function_written_with_nx_calls():
    xs = rng.normal(size=(4, 3))
    got = nx.vmap(lambda x: nx.sum(nx.multiply(x, x)))(xs)
    np.testing.assert_allclose(np.asarray(got), (xs * xs).sum(axis=1))
    with pytest.raises(ArgumentError, match="must use nx.* functions"):
        nx.vmap(lambda x: x * x)(xs)


def test_nested_vmap():
    xs, ws = rng.normal(size=(4, 3)), rng.normal(size=(3, 2, 5))
    got = nx.vmap(nx.vmap(predict, (0, None)), (None, 2))(xs, ws)
    want = np.stack([np.tanh(xs @ ws[..., j]) for j in range(5)])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)


@nx.defn
def uses_vmap(w, xs):
    return nx.vmap(predict, in_axes=(0, None))(xs, w) * 2


def test_vmap_inside_defn_is_inlined_batched():
    xs, w = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(np.asarray(uses_vmap(w, xs)), 2 * np.tanh(xs @ w), rtol=1e-12)
    fn = uses_vmap.specialize(w, xs).function
    verify_function(fn)
    assert [op.name for op in fn.body.ops][:2] == ["dot", "tanh"]


@nx.defn
def local_functions(xs, w):
    squares = nx.vmap(lambda x: nx.sum(x * x))(xs)
    projected = nx.vmap(lambda x: nx.dot(x, w))(xs)  # w is captured: shared by every row
    return squares, projected


def test_vmap_of_local_functions_inside_defn():
    xs, w = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    squares, projected = local_functions(xs, w)
    np.testing.assert_allclose(np.asarray(squares), (xs * xs).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(projected), xs @ w, rtol=1e-12)
    verify_function(local_functions.specialize(xs, w).function)


@nx.defn
def sin_and_sum(x):
    return nx.sin(x), nx.sum(x)


def test_tuple_results_with_an_out_axis_each():
    xs = rng.normal(size=(2, 3))
    s, t = nx.vmap(sin_and_sum, out_axes=(1, 0))(xs)
    np.testing.assert_allclose(np.asarray(s), np.sin(xs).T, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(t), xs.sum(axis=1), rtol=1e-12)


def test_specialize_gives_a_signature_with_a_symbolic_batch():
    v = nx.vmap(predict, in_axes=(0, None), axis_size="batch")
    spec = v.specialize(TensorType(nx.f32, (7, 3)), TensorType(nx.f32, (3, 2)))
    fn = spec.function
    assert fn.param_types[0] == TensorType(nx.f32, (Dim("batch"), 3))
    assert fn.result_types == [TensorType(nx.f32, (Dim("batch"), 2))]
    verify_function(fn)


def test_signature_adds_the_batch_axis_to_entry_types():
    entry = [TensorType(nx.f32, (3,)), TensorType(nx.f32, (3, 2))]
    # A name makes the batch axis symbolic; an int, static; none, a fresh ?batch.
    assert nx.vmap(predict, in_axes=(0, None), axis_size="n").signature(entry) == [
        TensorType(nx.f32, (Dim("n"), 3)), entry[1]]
    assert nx.vmap(predict, in_axes=(-1, None), axis_size=5, axis_name="b").signature(entry) \
        == [TensorType(nx.f32, (3, 5), (None, "b")), entry[1]]
    used = [TensorType(nx.f32, (Dim("batch"),)), TensorType(nx.f32, (Dim("batch_1"),))]
    assert nx.vmap(predict).signature(used) == [
        TensorType(nx.f32, (Dim("batch_2"), Dim("batch"))),
        TensorType(nx.f32, (Dim("batch_2"), Dim("batch_1")))]
    batched = nx.vmap(predict, in_axes=(0, None))
    spec = batched.specialize(*batched.signature(entry))
    assert spec.function.result_types == [TensorType(nx.f32, (Dim("batch"), 2))]


def test_batch_sizes_must_agree_and_something_must_be_batched():
    with pytest.raises(ShapeError, match=r"different sizes \['2', '4'\]"):
        nx.vmap(predict)(rng.normal(size=(2, 3)), rng.normal(size=(4, 3, 2)))
    with pytest.raises(ArgumentError, match="no argument is batched"):
        nx.vmap(predict, None)(rng.normal(size=3), rng.normal(size=(3, 2)))
    got = nx.vmap(predict, None, axis_size=2)(rng.normal(size=3), rng.normal(size=(3, 2)))
    assert got.shape == (2, 2)


# ---------------------------------------------------------------------------
# with grad
# ---------------------------------------------------------------------------

@nx.defn
def linear_loss(w, b, x, y):
    return (nx.sum(x * w) + b - y) ** 2


def test_per_example_gradients_of_a_linear_model():
    w, b = rng.normal(size=3), np.float64(0.3)
    xs, ys = rng.normal(size=(6, 3)), rng.normal(size=6)
    dw, db = nx.vmap(nx.grad(linear_loss, (0, 1)), in_axes=(None, None, 0, 0))(w, b, xs, ys)
    assert dw.shape == (6, 3) and db.shape == (6,)
    single = nx.grad(linear_loss, (0, 1))
    for i in range(6):
        gw, gb = single(w, b, xs[i], ys[i])
        np.testing.assert_allclose(np.asarray(dw)[i], np.asarray(gw), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(db)[i], np.asarray(gb), rtol=1e-12)
        # and by hand: d/dw (x.w + b - y)^2 = 2 r x
        r = xs[i] @ w + b - ys[i]
        np.testing.assert_allclose(np.asarray(dw)[i], 2 * r * xs[i], rtol=1e-12)


@nx.defn
def mlp_loss(w1, b1, w2, x, y):
    h = nx.tanh(nx.dot(x, w1) + b1)
    return nx.sum((nx.dot(h, w2) - y) ** 2)


def test_per_example_gradients_of_an_mlp():
    params = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 1))]
    xs, ys = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    grads = nx.vmap(nx.grad(mlp_loss, (0, 1, 2)), in_axes=(None, None, None, 0, 0))(*params, xs, ys)
    single = nx.grad(mlp_loss, (0, 1, 2))
    for i in range(5):
        for got, want in zip(grads, single(*params, xs[i], ys[i])):
            np.testing.assert_allclose(np.asarray(got)[i], np.asarray(want), rtol=1e-10)


@nx.defn
def batch_loss(w, xs):
    return nx.sum(nx.vmap(row_loss, in_axes=(None, 0))(w, xs))


def test_grad_of_a_vmapped_function_sums_the_entries():
    w, xs = rng.normal(size=(3, 2)), rng.normal(size=(4, 3))
    got = nx.grad(batch_loss)(w, xs)
    want = sum(np.asarray(nx.grad(row_loss)(w, xs[i])) for i in range(4))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)


@nx.defn
def grows(x):
    y = x
    while y < 10.0:
        y = y * 1.5 + x
    return y


def test_per_example_gradients_through_a_loop_of_different_lengths():
    # Each entry runs its own number of iterations; the saved states of the
    # gradient are read back with an index per entry.
    xs = np.array([0.5, 2.0, 9.0, 20.0, 1.0])
    g = nx.grad(grows)
    got = np.asarray(nx.vmap(g)(xs))
    want = []
    for x in xs:  # d/dx by hand, iterating y' = 1.5 y' + 1 alongside y
        y, dy = x, 1.0
        while y < 10.0:
            y, dy = y * 1.5 + x, dy * 1.5 + 1.0
        want.append(dy)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got, [float(np.asarray(g(x))) for x in xs], rtol=1e-12)


def scaled(x, w):
    # value x * w, with the gradient rule g -> (3 g, g * x)
    v = nx.custom_grad(nx.multiply(x, w), [x, w],
                       lambda g: [nx.multiply(g, 3.0), nx.multiply(g, x)])
    return nx.sum(v)


def test_custom_grad_under_vmap_and_grad():
    xs, w = rng.normal(size=(2, 3)), rng.normal(size=3)
    gx, gw = nx.vmap(nx.grad(scaled, (0, 1)), in_axes=(0, None))(xs, w)
    np.testing.assert_allclose(np.asarray(gx), np.full((2, 3), 3.0))
    np.testing.assert_allclose(np.asarray(gw), xs)
    # The gradient of the vmapped sum: w's is the sum of the entries' rules.
    total = nx.grad(lambda w, xs: nx.sum(nx.vmap(scaled, in_axes=(0, None))(xs, w)))
    np.testing.assert_allclose(np.asarray(total(w, xs)), xs.sum(axis=0))
