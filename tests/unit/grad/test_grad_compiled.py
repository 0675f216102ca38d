"""Compiled gradients agree with the interpreter's: the gradient IR of a small
two-layer MLP with a softmax cross-entropy loss, through the CPU backend."""
import numpy as np
import pytest

import nxc as nx
from nxc.compiler.codegen import compile_cached
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.passes.grad import grad_function
from nxc.runtime import load


@nx.defn
def mlp_loss(w1: nx.f32[16, 32], b1: nx.f32[32], w2: nx.f32[32, 10], b2: nx.f32[10],
             x: nx.f32["batch", 16], y: nx.f32["batch", 10]):
    h = nx.max(x @ w1 + b1, 0.0)
    logits = h @ w2 + b2
    shifted = logits - nx.reduce_max(logits, axes=[1], keep_axes=True)
    log_softmax = shifted - nx.log(nx.sum(nx.exp(shifted), axes=[1], keep_axes=True))
    return -nx.mean(nx.sum(y * log_softmax, axes=[1]))


TYPES = [nx.f32[16, 32], nx.f32[32], nx.f32[32, 10], nx.f32[10], nx.f32["batch", 16],
         nx.f32["batch", 10]]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    fn = grad_function(mlp_loss.specialize(*TYPES).function, (0, 1, 2, 3), with_value=True)
    module = Module(name="mlp_grad")
    module.add(fn)
    path = compile_cached(module, cache_dir=str(tmp_path_factory.mktemp("cache")))
    return fn, getattr(load(path), fn.name)


def test_compiled_gradients_equal_the_interpreters(compiled):
    fn, native = compiled
    rng = np.random.default_rng(0)
    params = [rng.normal(0, 0.3, t.shape).astype(np.float32) for t in TYPES[:4]]
    x = rng.normal(0, 1, (6, 16)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 6)]
    want = run_function(fn, *params, x, y)
    got = native(*params, x, y)
    assert len(got) == len(want) == 5
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-4, atol=1e-6)


def test_compiled_training_steps_lower_the_loss(compiled):
    _, native = compiled
    rng = np.random.default_rng(1)
    params = [rng.normal(0, 0.3, t.shape).astype(np.float32) for t in TYPES[:4]]
    x = rng.normal(0, 1, (32, 16)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[np.argmax(x[:, :10], axis=1)]
    losses = []
    for _ in range(20):
        loss, *grads = native(*params, x, y)
        losses.append(float(np.asarray(loss)))
        params = [p - 0.5 * np.asarray(g) for p, g in zip(params, grads)]
    assert losses[-1] < 0.5 * losses[0]
