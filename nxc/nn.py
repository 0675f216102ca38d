"""Neural-network helpers as compositions of nx functions: `nx.nn.softmax`, ...

softmax, log_softmax, relu, gelu, silu and one_hot are also at the top level
(`nx.softmax`), where users of jax.nn and Axon reach for them. Each is a
composite (nxc/composite.py): grad, vmap and compilation come from the ops it
calls. Reductions take Nx's `axes` (an int, a name or a tuple of them; -1,
the last axis, by default, as jax.nn).
"""
from __future__ import annotations

import math

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType

from . import api
from ._types import type_of
from .autodiff import stop_grad
from .composite import composite

__all__ = ["softmax", "log_softmax", "relu", "gelu", "silu", "one_hot",
           "softmax_cross_entropy", "softmax_cross_entropy_with_integer_labels"]

TOP_LEVEL = ["softmax", "log_softmax", "relu", "gelu", "silu", "one_hot"]


def _axes(tensor, axes):
    """`axes` as a tuple of non-negative ints or names (Nx accepts either)."""
    axes = axes if isinstance(axes, (tuple, list)) else (axes,)
    rank = type_of(tensor).rank
    return tuple(a + rank if isinstance(a, int) and a < 0 else a for a in axes)


def _shifted(tensor, axes):
    """tensor minus its maximum over `axes` (a constant for gradients): exp of it
    cannot overflow, and softmax is unchanged by the shift."""
    top = stop_grad(api.reduce_max(tensor, axes=axes, keep_axes=True))
    return api.subtract(tensor, top)


def _float_samples(dt):
    return [((TensorType(dt, (2, 3)),), {}),
            ((TensorType(dt, (2, 3, 4)),), {"axes": (0, 2)}),
            ((TensorType(dt, (2, 3)),), {"axes": 0})]


@composite(accepts=dtypes.FLOAT, samples=_float_samples)
def softmax(tensor, axes=-1):
    """exp(x) / sum(exp(x)) over `axes` (the last axis by default), computed with
    the maximum subtracted first so that large values do not overflow."""
    axes = _axes(tensor, axes)
    e = api.exp(_shifted(tensor, axes))
    return api.divide(e, api.sum(e, axes=axes, keep_axes=True))


@composite(accepts=dtypes.FLOAT, samples=_float_samples)
def log_softmax(tensor, axes=-1):
    """log(softmax(x)) over `axes`, as x - logsumexp(x): accurate where softmax
    underflows."""
    axes = _axes(tensor, axes)
    shifted = _shifted(tensor, axes)
    total = api.sum(api.exp(shifted), axes=axes, keep_axes=True)
    return api.subtract(shifted, api.log(total))


def _unary_samples(dt):
    return [((TensorType(dt, (2, 3)),), {}), ((TensorType(dt, (4,)),), {})]


@composite(accepts=dtypes.REAL, samples=_unary_samples)
def relu(tensor):
    """max(x, 0); the gradient at 0 is 0 (as jax.nn.relu)."""
    return api.select(api.greater(tensor, 0), tensor, 0)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _gelu_samples(dt):
    return _unary_samples(dt) + [((TensorType(dt, (2, 3)),), {"approximate": True})]


@composite(accepts=dtypes.FLOAT, samples=_gelu_samples)
def gelu(tensor, approximate=False):
    """The Gaussian error linear unit x * Phi(x): 0.5 x (1 + erf(x / sqrt(2))), or
    with `approximate` the tanh form 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))."""
    if approximate:
        cube = api.multiply(api.multiply(tensor, tensor), tensor)
        inner = api.multiply(api.add(tensor, api.multiply(cube, 0.044715)), _SQRT_2_OVER_PI)
        phi2 = api.add(api.tanh(inner), 1)
    else:
        phi2 = api.add(api.erf(api.multiply(tensor, 1 / math.sqrt(2))), 1)
    return api.multiply(api.multiply(tensor, phi2), 0.5)


@composite(accepts=dtypes.FLOAT, samples=_unary_samples)
def silu(tensor):
    """x * sigmoid(x) (also called swish)."""
    return api.multiply(tensor, api.sigmoid(tensor))


@composite(accepts=dtypes.INTEGER, differentiable=False,
           samples=lambda dt: [((TensorType(dt, (4,)),), {"num_classes": 6}),
                               ((TensorType(dt, (2, 3)),),
                                {"num_classes": 4, "type": dtypes.u8})])
def one_hot(indices, num_classes, type=dtypes.f32):
    """A new last axis of size `num_classes` holding 1 at each index and 0 elsewhere,
    in `type` (f32 by default); indices outside [0, num_classes) give all zeros."""
    hits = api.equal(api.new_axis(indices, -1), api.iota((num_classes,), type=type_of(
        indices).dtype))
    return api.as_type(hits, type)


def _cross_entropy_samples(dt):
    return [((TensorType(dt, (4, 3)), TensorType(dt, (4, 3))), {}),
            ((TensorType(dt, (3,)), TensorType(dt, (3,))), {})]


@composite(accepts=dtypes.FLOAT, samples=_cross_entropy_samples)
def softmax_cross_entropy(logits, labels, axes=-1):
    """-sum(labels * log_softmax(logits)) over `axes`: the cross entropy of one-hot
    (or probability) `labels` against the distribution `logits` gives, per example
    (no mean over the batch), as optax.softmax_cross_entropy."""
    axes = _axes(logits, axes)
    return api.negate(api.sum(api.multiply(labels, log_softmax(logits, axes=axes)), axes=axes))


def _integer_labels_samples(dt):
    if not dt.is_float:
        return []
    return [((TensorType(dt, (4, 3)), TensorType(dtypes.s32, (4,))), {}),
            ((TensorType(dt, (5,)), TensorType(dtypes.u8, ())), {})]


@composite(accepts=dtypes.FLOAT + dtypes.INTEGER, samples=_integer_labels_samples)
def softmax_cross_entropy_with_integer_labels(logits, labels):
    """logsumexp(logits) - logits[label] over the last axis, per example: the cross
    entropy of integer class `labels` (one rank less than logits). A label outside
    [0, classes) contributes 0. Labels may be any integer type; logits are floats."""
    classes = type_of(logits).shape[-1]
    hot = one_hot(labels, classes, type=type_of(logits).dtype)
    return softmax_cross_entropy(logits, hot)
