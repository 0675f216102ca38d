"""Element-wise ops: unary math, binary arithmetic, comparisons, logic, select, clip.

Binary ops broadcast their operands (shapes from the right, names merged) and
promote their types with Nx's table. f16/bf16 reference math runs in f32 and
rounds once per op, as compiled code does.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..registry import register
from ..types import TensorType, broadcast
from .cast import convert


def compute_type(dt):
    """The numpy type the reference computes in: f16/bf16 widen to f32."""
    return np.float32 if dt in (dtypes.f16, dtypes.bf16) else dt.numpy


def binary_type(name):
    def rule(x: TensorType, y: TensorType):
        return broadcast(x, y, dtype=dtypes.promote(x.dtype, y.dtype), what=name)
    return rule


def binary_samples(dt):
    return [([TensorType(dt, (2, 3)), TensorType(dt, (2, 3))], {}),
            ([TensorType(dt, (2, 1)), TensorType(dt, (3,))], {}),
            ([TensorType(dt, ()), TensorType(dt, (4,))], {})]


def _binary_ref(fn):
    """Promote, compute in the promoted type (f32 for f16/bf16), convert back."""
    def ref(x, y):
        out_t = dtypes.promote(dtypes.from_numpy(x.dtype), dtypes.from_numpy(y.dtype))
        ct = compute_type(out_t)
        with np.errstate(all="ignore"):
            r = fn(x.astype(ct), y.astype(ct))
        return convert(r, out_t)
    return ref


register("add", ref=_binary_ref(np.add), arity=2, samples=binary_samples)(binary_type("add"))
