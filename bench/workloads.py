"""The workloads W1-W7: inputs, the numpy and JAX versions, the nxc defn, the
oracle, and the work each call does (bytes moved or floating-point operations).

Every workload is float32. The numpy version is written once over numpy
generically, so that the oracle is the same code run on float64 copies of the
inputs (an independent check of nxc and JAX, and of numpy's float32 rounding).
W8 (compile time) reuses W1 and W5; see job.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    sizes: dict  # size name -> parameters of `make_inputs`
    make_inputs: object  # (params, rng) -> tuple of float32 arrays
    numpy_fn: object  # numpy version, also the float64 oracle
    jax_fn: object  # (jax, jnp) -> the function jax.jit compiles
    nxc: str  # name of the defn in models.py
    work: object  # params -> (kind, amount): ("bytes", n) or ("flops", n) or ("call", 1)
    tolerance: float = 1e-4  # allowed max |error| relative to max |oracle|
    threads: tuple = (1, 2)  # thread counts it runs at
    describe: object = field(default=lambda p: "")  # params -> the size in words


def _normal(rng, *shape):
    return rng.standard_normal(shape, dtype=np.float32)


# -- W1 softmax ---------------------------------------------------------------

def _softmax(t):
    e = np.exp(t)
    return e / e.sum()


# -- W2 tanh(a*b+c) -----------------------------------------------------------

def _tanh_fma(a, b, c):
    return np.tanh(a * b + c)


# -- W5 one SGD step of an MLP ------------------------------------------------

def _mlp_inputs(p, rng):
    n_in, n_hidden, n_out, batch = p
    w1 = _normal(rng, n_in, n_hidden) / np.float32(np.sqrt(n_in))
    w2 = _normal(rng, n_hidden, n_out) / np.float32(np.sqrt(n_hidden))
    b1 = 0.1 * _normal(rng, n_hidden)
    b2 = 0.1 * _normal(rng, n_out)
    x = _normal(rng, batch, n_in)
    y = np.eye(n_out, dtype=np.float32)[rng.integers(0, n_out, size=batch)]
    return w1, b1, w2, b2, x, y


def _sgd_step(w1, b1, w2, b2, x, y):
    """The forward pass, cross-entropy, and its gradient by hand (back-propagation)."""
    z1 = x @ w1 + b1
    h = np.maximum(z1, 0)
    logits = h @ w2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(s)
    batch = x.shape[0]
    loss = -(y * log_probs).sum(axis=1).mean()
    # d loss / d logits: (softmax * sum(y) - y) / batch
    dlogits = (e / s * y.sum(axis=1, keepdims=True) - y) / batch
    g2, gb2 = h.T @ dlogits, dlogits.sum(axis=0)
    dz1 = (dlogits @ w2.T) * (z1 > 0)
    g1, gb1 = x.T @ dz1, dz1.sum(axis=0)
    return loss, w1 - 0.1 * g1, b1 - 0.1 * gb1, w2 - 0.1 * g2, b2 - 0.1 * gb2


def _jax_sgd_step(jax, jnp):
    def loss(w1, b1, w2, b2, x, y):
        h = jnp.maximum(x @ w1 + b1, 0.0)
        logits = h @ w2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - jnp.log(jnp.exp(shifted).sum(axis=1, keepdims=True))
        return -(y * log_probs).sum(axis=1).mean()

    def step(w1, b1, w2, b2, x, y):
        l, (g1, gb1, g2, gb2) = jax.value_and_grad(loss, argnums=(0, 1, 2, 3))(
            w1, b1, w2, b2, x, y)
        return l, w1 - 0.1 * g1, b1 - 0.1 * gb1, w2 - 0.1 * g2, b2 - 0.1 * gb2
    return step


def _mlp_flops(p):
    n_in, n_hidden, n_out, batch = p
    forward = 2 * batch * (n_in * n_hidden + n_hidden * n_out)
    return forward * 3  # the forward matmuls, and two per layer backward


# -- W6 per-example gradients -------------------------------------------------

def _per_example_grads(w, xs, ys):
    # d/dw (x.w - y)^2 = 2 (x.w - y) x, for each example
    return 2 * (xs @ w - ys)[:, None] * xs


def _jax_per_example_grads(jax, jnp):
    def loss(w, x, y):
        d = jnp.sum(x * w) - y
        return d * d
    return jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))


W = [
    Workload(
        "W1", "softmax", {"full": 1_000_000, "tiny": 1000},
        lambda n, rng: (_normal(rng, n),),
        _softmax, lambda jax, jnp: lambda t: jnp.exp(t) / jnp.exp(t).sum(), "softmax",
        lambda n: ("bytes", 2 * 4 * n),
        describe=lambda n: f"{n:,} elements"),
    Workload(
        "W2", "tanh(a*b+c)", {"full": 4_194_304, "tiny": 4096},
        lambda n, rng: (_normal(rng, n), _normal(rng, n), _normal(rng, n)),
        _tanh_fma, lambda jax, jnp: lambda a, b, c: jnp.tanh(a * b + c), "tanh_fma",
        lambda n: ("bytes", 4 * 4 * n),
        describe=lambda n: f"{n:,} elements"),
    Workload(
        "W3", "matmul", {"full": 1024, "tiny": 32},
        lambda n, rng: (_normal(rng, n, n), _normal(rng, n, n)),
        np.matmul, lambda jax, jnp: jnp.matmul, "matmul",
        lambda n: ("flops", 2 * n ** 3), tolerance=1e-4,
        describe=lambda n: f"{n}x{n}x{n}"),
    Workload(
        "W4", "row sums", {"full": 4096, "tiny": 32},
        lambda n, rng: (_normal(rng, n, n),),
        lambda x: x.sum(axis=1), lambda jax, jnp: lambda x: x.sum(axis=1), "row_sums",
        lambda n: ("bytes", 4 * (n * n + n)), tolerance=1e-4,
        describe=lambda n: f"{n}x{n}"),
    Workload(
        "W5", "MLP SGD step", {"full": (784, 512, 10, 128), "tiny": (32, 16, 4, 8)},
        _mlp_inputs, _sgd_step, _jax_sgd_step, "sgd_step",
        lambda p: ("flops", _mlp_flops(p)), tolerance=1e-4,
        describe=lambda p: f"{p[0]}-{p[1]}-{p[2]}, batch {p[3]}"),
    Workload(
        "W6", "per-example grads", {"full": (256, 1024), "tiny": (16, 32)},
        lambda p, rng: (_normal(rng, p[0]), _normal(rng, p[1], p[0]), _normal(rng, p[1])),
        _per_example_grads, _jax_per_example_grads, "per_example_grads",
        lambda p: ("bytes", 4 * (2 * p[0] * p[1] + p[0] + p[1])), tolerance=1e-4,
        describe=lambda p: f"{p[0]} features x {p[1]} examples"),
    Workload(
        "W7", "call overhead", {"full": None, "tiny": None},
        lambda p, rng: (np.asarray(1.5, np.float32), np.asarray(2.25, np.float32)),
        np.add, lambda jax, jnp: lambda a, b: a + b, "add",
        lambda p: ("call", 1), threads=(1,),
        describe=lambda p: "two f32 scalars (0-d arrays)"),
]

BY_KEY = {w.key: w for w in W}
