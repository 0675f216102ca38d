"""The neural-network helpers (nxc/nn.py): values against hand-computed ones,
eagerly and compiled, their gradients against their closed forms, and the
names they are exported under. (Nx's core has no doctests for them: Axon and
jax.nn define what users expect.)"""
import math

import numpy as np
import pytest

import nxc as nx


def t(data, type=None, names=None):
    return nx.tensor(data, dtype=type, names=names)


def _both(fn, *args):
    eager, compiled = fn(*args), nx.defn(fn)(*args)
    assert eager.type == compiled.type
    return np.asarray(eager), np.asarray(compiled)


def test_exported_at_top_level_and_under_nn():
    for name in ("softmax", "log_softmax", "relu", "gelu", "silu", "one_hot"):
        assert getattr(nx, name) is getattr(nx.nn, name)
    assert callable(nx.nn.softmax_cross_entropy)
    assert callable(nx.nn.softmax_cross_entropy_with_integer_labels)


def test_softmax_and_log_softmax():
    x = t([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]], names=["batch", "classes"])
    e = np.exp([1.0, 2.0, 3.0])
    for got in _both(lambda a: nx.softmax(a), x):
        np.testing.assert_allclose(got, [e / e.sum(), [1.0, 0.0, 0.0]], rtol=1e-6)
    assert nx.softmax(x).names == ("batch", "classes")
    for got in _both(lambda a: nx.log_softmax(a), x):
        np.testing.assert_allclose(got, [np.log(e / e.sum()), [0.0, -1000.0, -2000.0]],
                                   rtol=1e-6)
    for got in _both(lambda a: nx.softmax(a, axes="batch"), x):
        np.testing.assert_allclose(got.sum(axis=0), [1.0, 1.0, 1.0], rtol=1e-6)


def test_relu_gelu_silu():
    x = t([-2.0, -0.5, 0.0, 0.5, 2.0], "f64")
    v = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    for got in _both(lambda a: nx.relu(a), x):
        assert got.tolist() == [0.0, 0.0, 0.0, 0.5, 2.0]
    assert nx.relu(t([-3, 4])).tolist() == [0, 4]
    exact = [0.5 * a * (1 + math.erf(a / math.sqrt(2))) for a in v]
    for got in _both(lambda a: nx.gelu(a), x):
        np.testing.assert_allclose(got, exact, rtol=1e-14, atol=1e-300)
    tanh_form = 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))
    for got in _both(lambda a: nx.gelu(a, approximate=True), x):
        np.testing.assert_allclose(got, tanh_form, rtol=1e-14)
    for got in _both(lambda a: nx.silu(a), x):
        np.testing.assert_allclose(got, v / (1 + np.exp(-v)), rtol=1e-14)


def test_one_hot():
    for got in _both(lambda a: nx.one_hot(a, 3), t([0, 2, 3, -1])):
        assert got.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]
    assert nx.one_hot(t([1], "u8"), 2, type=nx.u8).type == nx.TensorType(nx.u8, (1, 2))
    with pytest.raises(nx.DTypeError, match="f32"):
        nx.one_hot(t([1.0]), 2)


def test_cross_entropies_agree_with_logsumexp():
    logits = t([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]], "f64")
    labels = t([0, 1])
    lse = np.log(np.exp(np.asarray(logits)).sum(axis=1))
    want = lse - np.array([2.0, 2.5])
    for got in _both(lambda a, b: nx.nn.softmax_cross_entropy_with_integer_labels(a, b),
                     logits, labels):
        np.testing.assert_allclose(got, want, rtol=1e-14)
    hot = nx.one_hot(labels, 3, type=nx.f64)
    for got in _both(lambda a, b: nx.nn.softmax_cross_entropy(a, b), logits, hot):
        np.testing.assert_allclose(got, want, rtol=1e-14)


def test_cross_entropy_gradient_is_softmax_minus_labels():
    logits = t([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]], "f64")
    labels = nx.one_hot(t([2, 1]), 3, type=nx.f64)
    loss = lambda a: nx.sum(nx.nn.softmax_cross_entropy(a, labels))  # noqa: E731
    want = np.asarray(nx.softmax(logits)) - np.asarray(labels)
    np.testing.assert_allclose(np.asarray(nx.grad(loss)(logits)), want, rtol=1e-12)


def test_relu_gradient_at_zero_is_zero():
    g = nx.grad(lambda a: nx.sum(nx.relu(a)))(t([-1.0, 0.0, 2.0], "f64"))
    assert np.asarray(g).tolist() == [0.0, 0.0, 1.0]


def test_float_helpers_reject_integers():
    for fn in (nx.softmax, nx.log_softmax, nx.gelu, nx.silu):
        with pytest.raises(nx.DTypeError, match="s32"):
            fn(t([1, 2]))
