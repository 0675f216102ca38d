"""The gradient with respect to an input that is not vectorized: one gradient per entry.

nxc's rule (docs/batching.md): the gradient of a vectorized result with respect
to a shared input is vectorized like the result, entry e holding the gradient
of result[e] (JAX's vmap(grad)); Nx returns the sum over the entries instead
(Nx issue #1533). Oracle: a loop over the entries of single-entry gradients.
"""
import numpy as np
import pytest

import nxc as nx
from nxc._dispatch import building
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.compiler.passes.batching.entry_grad import per_entry_grad_function
from nxc.compiler.passes.grad import grad_function
from nxc.runtime.errors import ShapeError

rng = np.random.default_rng(3)


def traced(types, body):
    """An IR function built by calling `body` with nx functions on its parameters."""
    b = Builder()
    fn = b.function(Module(), "f", list(types))
    with building(b), b.at(fn.body):
        b.terminate("return", [body(*fn.params)])
    return fn


def entry_loss(w, b, x):
    return nx.sum(nx.tanh(nx.add(nx.dot(x, w), b)))


def test_gradient_for_a_shared_input_is_one_per_entry():
    W, B, X = TensorType(T.f64, (3, 2)), TensorType(T.f64, (2,)), TensorType(T.f64, (4, 3))
    # The vectorized program: x vectorized over its rows, w and b shared.
    vec = traced([W, B, X], lambda w, b, xs: nx.devectorize(
        entry_loss(w, b, nx.vectorize(xs, "rows"))))
    assert vec.result_types == [TensorType(T.f64, (4,), ("rows",))]
    per_entry = per_entry_grad_function(vec, (0, 1), entry_axes=1)
    verify_function(per_entry)
    assert per_entry.result_types == [TensorType(T.f64, (4, 3, 2), ("rows", None, None)),
                                      TensorType(T.f64, (4, 2), ("rows", None))]
    w, b, xs = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 3))
    dw, db = run_function(per_entry, w, b, xs)

    single = grad_function(traced([W, B, TensorType(T.f64, (3,))], entry_loss), (0, 1))
    for e in range(4):
        gw, gb = run_function(single, w, b, xs[e])
        np.testing.assert_allclose(dw[e], gw, rtol=1e-12)
        np.testing.assert_allclose(db[e], gb, rtol=1e-12)
        # and by hand: d/dw sum(tanh(x w + b)) = x^T (1 - tanh^2)
        t = np.tanh(xs[e] @ w + b)
        np.testing.assert_allclose(dw[e], np.outer(xs[e], 1 - t * t), rtol=1e-12)

    # Nx's answer is the sum over the entries: the gradient of the summed result.
    summed = traced([W, B, X], lambda w, b, xs: nx.sum(nx.devectorize(
        entry_loss(w, b, nx.vectorize(xs, "rows")))))
    nx_dw, nx_db = run_function(grad_function(summed, (0, 1)), w, b, xs)
    np.testing.assert_allclose(dw.sum(axis=0), nx_dw, rtol=1e-12)
    np.testing.assert_allclose(db.sum(axis=0), nx_db, rtol=1e-12)


def test_several_vectorized_axes_and_a_non_scalar_entry():
    # result[a][b] = x[a] * w * y[b] (a vector per entry): d/dw of its sum is x[a] * y[b].
    X, Y, W = TensorType(T.f64, (2, 3)), TensorType(T.f64, (4, 3)), TensorType(T.f64, (3,))
    fn = traced([X, Y, W], lambda x, y, w: nx.devectorize(
        nx.vectorize(x, "a") * w * nx.vectorize(y, "b")))
    g = per_entry_grad_function(fn, 2, entry_axes=2)
    x, y, w = rng.normal(size=(2, 3)), rng.normal(size=(4, 3)), rng.normal(size=3)
    (dw,) = run_function(g, x, y, w)
    np.testing.assert_allclose(dw, x[:, None, :] * y[None, :, :], rtol=1e-12)


def test_entry_axes_must_be_static():
    fn = traced([TensorType(T.f64, (nx.Dim("n"), 3)), TensorType(T.f64, (3,))],
                lambda x, w: nx.multiply(x, w))
    with pytest.raises(ShapeError, match="leading vectorized axes of static size"):
        per_entry_grad_function(fn, 1, entry_axes=1)


# ---------------------------------------------------------------------------
# nx.grad of vectorized functions: the rule above, through the API
# ---------------------------------------------------------------------------

def by_hand(w, b, x):
    """d/dw and d/dx of sum(tanh(x w + b)) for one entry x (float64)."""
    s = 1 - np.tanh(x @ w + b) ** 2
    return np.outer(x, s), w @ s


def test_grad_with_a_vectorized_argument_is_per_entry_for_every_input():
    w, b, xs = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 3))
    xv = nx.vectorize(xs, "rows")
    dw, dx = nx.grad(entry_loss, (0, 2))(w, b, xv)
    # w is shared: one gradient per entry (per_entry_grad_function); x is
    # vectorized like the result: its ordinary gradient, entry by entry.
    assert dw.vectorized_axes == (("rows", 4),) and dw.shape == (3, 2)
    assert dx.vectorized_axes == (("rows", 4),) and dx.shape == (3,)
    for e in range(4):
        want_dw, want_dx = by_hand(w, b, xs[e])
        np.testing.assert_allclose(np.asarray(nx.devectorize(dw))[e], want_dw, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(nx.devectorize(dx))[e], want_dx, rtol=1e-12)
    value, db = nx.value_and_grad(entry_loss, 1)(w, b, xv)
    np.testing.assert_allclose(np.asarray(nx.devectorize(value)),
                               np.tanh(xs @ w + b).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(nx.devectorize(db)),
                               1 - np.tanh(xs @ w + b) ** 2, rtol=1e-12)


@nx.defn
def per_row_gradients(w, b, xs):
    xv = nx.vectorize(xs, "rows")
    return nx.grad(lambda w: nx.sum(nx.tanh(xv @ w + b)))(w)


def test_grad_inside_defn_of_a_result_vectorized_by_a_captured_tensor():
    w, b, xs = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(5, 3))
    out = per_row_gradients(w, b, xs)
    assert out.names == ("rows", None, None) and out.shape == (5, 3, 2)
    for e in range(5):
        np.testing.assert_allclose(np.asarray(out)[e], by_hand(w, b, xs[e])[0], rtol=1e-12)


def test_grad_of_a_plain_result_is_vectorized_like_its_input():
    # The result sums over the entries: each entry's gradient is its own term's.
    xs = rng.normal(size=(3, 2))
    g = nx.grad(lambda x: nx.sum(nx.devectorize(nx.multiply(nx.sin(x), x))))(
        nx.vectorize(xs, "n"))
    assert g.vectorized_axes == (("n", 3),)
    np.testing.assert_allclose(np.asarray(nx.devectorize(g)), np.cos(xs) * xs + np.sin(xs),
                               rtol=1e-12)


def test_an_input_vectorized_over_some_of_the_result_axes_gets_one_gradient_per_entry():
    # r[a][b] = sum(x[a] * y[b] * w): d r[a][b] / d x[a] = y[b] * w, one per (a, b).
    xs, ys, w = rng.normal(size=(2, 3)), rng.normal(size=(4, 3)), rng.normal(size=3)
    f = lambda x, y, w: nx.sum(nx.multiply(nx.multiply(x, y), w))  # noqa: E731
    dx, dw = nx.grad(f, (0, 2))(nx.vectorize(xs, "a"), nx.vectorize(ys, "b"), w)
    assert dx.vectorized_axes == (("a", 2), ("b", 4)) and dx.shape == (3,)
    assert dw.vectorized_axes == (("a", 2), ("b", 4))
    dx, dw = np.asarray(nx.devectorize(dx)), np.asarray(nx.devectorize(dw))
    for a in range(2):
        for b in range(4):
            np.testing.assert_allclose(dx[a, b], ys[b] * w, rtol=1e-12)
            np.testing.assert_allclose(dw[a, b], xs[a] * ys[b], rtol=1e-12)


def test_grad_specialize_gives_the_function_and_how_its_results_nest():
    W, B, X = TensorType(T.f64, (3, 2)), TensorType(T.f64, (2,)), TensorType(T.f64, (3,))
    spec = nx.value_and_grad(entry_loss, (0, 1)).specialize(W, B, X)
    verify_function(spec.function)
    assert spec.result_tree == (None, (None, None))
    assert spec.function.result_types == [TensorType(T.f64, ()), W, B]
    assert spec.function.params[0].hint == "w"  # the names of entry_loss's parameters
    w, b, x = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=3)
    value, dw, db = run_function(spec.function, w, b, x)
    np.testing.assert_allclose(value, np.tanh(x @ w + b).sum(), rtol=1e-12)
    np.testing.assert_allclose(dw, by_hand(w, b, x)[0], rtol=1e-12)
