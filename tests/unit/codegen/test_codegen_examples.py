"""The bundled examples, from source through the frontend and the CPU backend,
against numpy written by hand (and the interpreter for the training step)."""
import os

import numpy as np
import pytest

from nxc.compiler.frontend.driver import compile_file
from nxc.compiler.ir.interpreter import run_function

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples")


@pytest.fixture(scope="module")
def compiled(build):
    def get(stem):
        module = compile_file(os.path.join(EXAMPLES, f"{stem}.py"), None)
        module.name = stem
        return build(module), module
    return get


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax_example(compiled):
    art, _ = compiled("softmax")
    t = np.array([1.0, -2.0, 3.5, 0.0, 7.0], np.float32)
    np.testing.assert_allclose(np.asarray(art.softmax(t)), np_softmax(t.astype(np.float64)),
                               rtol=1e-6)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4)).astype(np.float32)
    w = rng.normal(size=(4, 3)).astype(np.float32)
    b = rng.normal(size=3).astype(np.float32)
    want = np_softmax(x.astype(np.float64) @ w + b, axis=1)
    np.testing.assert_allclose(np.asarray(art.classify(x, w, b)), want, rtol=1e-5, atol=1e-7)


def test_mlp_example(compiled):
    art, module = compiled("mlp")
    rng = np.random.default_rng(0)
    w1 = (rng.normal(size=(784, 512)) * 0.05).astype(np.float32)
    b1 = (rng.normal(size=512) * 0.1).astype(np.float32)
    w2 = (rng.normal(size=(512, 10)) * 0.05).astype(np.float32)
    b2 = (rng.normal(size=10) * 0.1).astype(np.float32)
    x = rng.random((16, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 16)]
    h = np.maximum(x.astype(np.float64) @ w1 + b1, 0)
    want = np_softmax(h @ w2 + b2, axis=1)
    np.testing.assert_allclose(np.asarray(art.predict(w1, b1, w2, b2, x)), want, rtol=1e-4,
                               atol=1e-6)
    loss, *params = art.step(w1, b1, w2, b2, x, y)
    assert float(np.asarray(loss)) == pytest.approx(-np.mean(np.sum(y * np.log(want), axis=1)),
                                                    rel=1e-5)
    for got, ref in zip(params, run_function(module["step"], w1, b1, w2, b2, x, y)[1:]):
        np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-5, atol=1e-6)
