"""print_value: a value printed when it is computed, returned unchanged.

The reference (interpreter, eager mode) prints through the runtime's
formatter; compiled code calls the runtime's print hook (runtime/hooks.py,
compiler/codegen/lowerings/hooks.py). For the gradient and batching passes
it is the identity: the gradient flows through, a batched value prints whole.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime import hooks
from nxc.runtime.errors import ArgumentError

from .. import dtypes
from ..registry import register
from ..types import TensorType
from .elementwise import unary_samples


def _canon(types, attrs):
    label = attrs["label"]
    if label is not None and not isinstance(label, str):
        raise ArgumentError(f"print_value label must be a string or None, got {label!r}")
    return {"label": label}


def _ref(x, *, label):
    hooks.emit(x, dtypes.from_numpy(x.dtype).name, label)
    return np.array(x, copy=True)


def _samples(dt):
    return unary_samples(dt) + [([TensorType(dt, (2, 2))], {"label": "x: \"two\" \\ two"})]


@register("print_value", ref=_ref, attrs={"label": None}, canon=_canon, samples=_samples)
def print_value(x, *, label):
    """`x`, unchanged, printed (with `label` when given) each time it is computed."""
    return x
