"""Trains the 784-512-10 MLP of examples/mlp.py on synthetic data with `step`
compiled to native code (the same path as `nxc compile examples/mlp.py`).

The data: 10 random prototype images; each example is a noisy copy of one of
them, labelled with its prototype. The loss must go down.
"""
import os

import numpy as np

from nxc.compiler.codegen import compile_cached
from nxc.compiler.frontend.driver import compile_file
from nxc.compiler.passes.simplify import Simplify
from nxc.runtime import load

MLP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp.py")


def compiled_step():
    """`step` of examples/mlp.py, compiled for the CPU (cached after the first run)."""
    module = Simplify().run(compile_file(MLP, ["step"]))
    module.name = "mlp"
    return load(compile_cached(module)).step


def synthetic_data(n, rng):
    prototypes = rng.normal(0, 1, size=(10, 784)).astype(np.float32)
    labels = rng.integers(0, 10, size=n)
    x = prototypes[labels] + rng.normal(0, 0.5, size=(n, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[labels]
    return x, y


def init_params(rng):
    w1 = (rng.normal(0, 1, size=(784, 512)) / np.sqrt(784)).astype(np.float32)
    w2 = (rng.normal(0, 1, size=(512, 10)) / np.sqrt(512)).astype(np.float32)
    return [w1, np.zeros(512, np.float32), w2, np.zeros(10, np.float32)]


def train(step, steps=20, batch=64, seed=0):
    """Runs `steps` SGD steps (lr 0.1, the default of `step`); returns the losses."""
    rng = np.random.default_rng(seed)
    x, y = synthetic_data(batch * steps, rng)
    params = init_params(rng)
    losses = []
    for i in range(steps):
        xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
        loss, *params = step(*params, xb, yb)
        params = [np.asarray(p) for p in params]
        losses.append(float(loss))
    return losses, params


if __name__ == "__main__":
    losses, _ = train(compiled_step())
    for i, l in enumerate(losses):
        print(f"step {i:3d}  loss {l:.4f}")
    assert losses[-1] < losses[0] / 2, "the loss did not go down"
    print("ok: the loss went down")
