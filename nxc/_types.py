"""The static type of anything the API takes as a tensor operand.

Tensors and IR values carry a TensorType; numpy arrays and scalars get the type
of their data (bool -> u8); Python numbers are rank-0 with their literal type.
Functions whose options depend on ranks (dot, indexing) read types through
here, so they run unchanged on eager tensors and on values being traced.
"""
from __future__ import annotations

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import ArgumentError


def type_of(x) -> TensorType:
    t = getattr(x, "type", None)
    if isinstance(t, TensorType):
        return t
    if isinstance(x, (np.ndarray, np.generic)):
        return TensorType(dtypes.from_numpy(x.dtype), np.shape(x))
    if is_number(x):
        return TensorType(dtypes.scalar_type(x), ())
    raise ArgumentError(
        f"expected a tensor, a numpy array or a number, got {type(x).__name__}")


def is_operand(x) -> bool:
    """Whether `x` can be an operand: a tensor, IR value, numpy array or number."""
    return (isinstance(getattr(x, "type", None), TensorType)
            or isinstance(x, (np.ndarray, np.generic)) or is_number(x))
