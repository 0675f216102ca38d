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
