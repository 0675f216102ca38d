"""The bundled examples: the compiled MLP training step equals the interpreter's,
and training on synthetic data lowers the loss."""
import importlib.util
import os

import numpy as np
import pytest

import nxc as nx

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def _module(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def train_mlp(tmp_path_factory):
    os.environ.setdefault("NXC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    return _module("train_mlp")


def test_compiled_step_equals_the_interpreter(train_mlp):
    mlp = _module("mlp")
    rng = np.random.default_rng(1)
    params = train_mlp.init_params(rng)
    x, y = train_mlp.synthetic_data(8, rng)
    compiled = [np.asarray(r) for r in train_mlp.compiled_step()(*params, x, y)]
    step = nx.defn(mlp.step, compiler="interpreter")
    interpreted = [np.asarray(r) for r in step(*params, x, y)]
    for c, i in zip(compiled, interpreted):
        np.testing.assert_allclose(c, i, rtol=2e-4, atol=1e-5)


def test_training_lowers_the_loss(train_mlp):
    losses, _ = train_mlp.train(train_mlp.compiled_step(), steps=10, batch=32)
    assert all(np.isfinite(losses))
    assert losses[-1] < losses[0] / 2


def test_mlp_compiles_with_the_cli_and_matches_numpy(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "mlp_nxc"
    cli = [sys.executable, "-m", "nxc.cli.main", "compile", os.path.join(EXAMPLES, "mlp.py"),
           "-o", str(out), "--function", "predict"]
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rng = np.random.default_rng(2)
    w1 = rng.normal(0, 0.05, (784, 512)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 512).astype(np.float32)
    w2 = rng.normal(0, 0.1, (512, 10)).astype(np.float32)
    b2 = rng.normal(0, 0.1, 10).astype(np.float32)
    x = rng.normal(0, 1, (5, 784)).astype(np.float32)
    probs = np.asarray(nx.load(str(out)).predict(w1, b1, w2, b2, x))
    h = np.maximum(x.astype(np.float64) @ w1 + b1, 0)
    logits = h @ w2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(probs, e / e.sum(axis=1, keepdims=True), rtol=1e-4, atol=1e-6)
