"""Oracles for the neural-network composites (nxc/nn.py), in float64 numpy and
the math module (erf)."""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T


def _axes(x, axes):
    axes = axes if isinstance(axes, tuple) else (axes,)
    return tuple(a % x.ndim for a in axes)


def _log_softmax(x, axes=-1):
    x = np.asarray(x, np.float64)
    axes = _axes(x, axes)
    top = x.max(axis=axes, keepdims=True)
    return x - top - np.log(np.exp(x - top).sum(axis=axes, keepdims=True))


def _gelu(x, approximate=False):
    x = np.asarray(x, np.float64)
    if approximate:
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    erf = np.vectorize(math.erf)(x / math.sqrt(2)) if x.size else x
    return 0.5 * x * (1 + erf)


def _one_hot(indices, num_classes, type=T.f32):
    return (np.asarray(indices)[..., None] == np.arange(num_classes)).astype(type.numpy)


def _integer_labels(logits, labels):
    logp = _log_softmax(logits)
    out = np.zeros(np.shape(labels))
    for idx in np.ndindex(np.shape(labels)):
        label = int(np.asarray(labels)[idx])
        if 0 <= label < logp.shape[-1]:
            out[idx] = -logp[idx + (label,)]
    return out


COMPOSITE_ORACLES = {
    "softmax": lambda x, axes=-1: np.exp(_log_softmax(x, axes)),
    "log_softmax": _log_softmax,
    "relu": lambda x: np.where(x > 0, x, 0).astype(x.dtype),
    "gelu": _gelu,
    "silu": lambda x: np.asarray(x, np.float64) / (1 + np.exp(-np.asarray(x, np.float64))),
    "one_hot": _one_hot,
    "softmax_cross_entropy": lambda logits, labels, axes=-1: -(
        np.asarray(labels, np.float64) * _log_softmax(logits, axes)).sum(axis=_axes(
            np.asarray(logits), axes)),
    "softmax_cross_entropy_with_integer_labels": _integer_labels,
}
