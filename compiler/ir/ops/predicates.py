"""Element tests and the last logical op: is_nan, is_infinity, logical_xor (u8 results)."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..registry import register
from ..types import TensorType, broadcast
from .elementwise import binary_samples, unary_samples


def _test(name, kernel, doc):
    """A u8 test of each element: integers are never nan nor infinite; a complex
    number is when either part is."""
    def ref(x):
        if x.dtype.kind in "iu":
            return np.zeros(x.shape, np.uint8)
        parts = (x.real, x.imag) if np.iscomplexobj(x) else (x.astype(np.float64),)
        out = np.zeros(x.shape, bool)
        for p in parts:
            out |= kernel(p)
        return out.astype(np.uint8)

    def rule(x: TensorType):
        return x.with_dtype(dtypes.u8)

    rule.__doc__, rule.__name__ = doc, name
    register(name, ref=ref, samples=unary_samples)(rule)


_test("is_nan", np.isnan, "1 where the element is NaN (either part of a complex number), "
                          "else 0; integers give 0.")
_test("is_infinity", np.isinf, "1 where the element is +-inf (either part of a complex "
                               "number), else 0; integers give 0.")


def _truth(a):
    return np.asarray(a) != 0


@register("logical_xor",
          ref=lambda x, y: np.logical_xor(_truth(x), _truth(y)).astype(np.uint8),
          arity=2, samples=binary_samples)
def logical_xor(x: TensorType, y: TensorType):
    """1 where exactly one of x and y is nonzero, else 0 (operands are not promoted)."""
    return broadcast(x, y, dtype=dtypes.u8, what="logical_xor")
