"""The Nx type names an artifact's manifest uses, and their numpy types.

The runtime keeps its own small table so that it never imports the compiler.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

NUMPY = {
    "u8": np.dtype(np.uint8), "u16": np.dtype(np.uint16), "u32": np.dtype(np.uint32),
    "u64": np.dtype(np.uint64), "s8": np.dtype(np.int8), "s16": np.dtype(np.int16),
    "s32": np.dtype(np.int32), "s64": np.dtype(np.int64), "f16": np.dtype(np.float16),
    "bf16": np.dtype(ml_dtypes.bfloat16), "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64), "c64": np.dtype(np.complex64),
    "c128": np.dtype(np.complex128),
}
NAMES = {v: k for k, v in NUMPY.items()}


def name_of(dt: np.dtype) -> str:
    """The Nx name of a numpy dtype, or the numpy name when Nx has none."""
    return NAMES.get(np.dtype(dt), str(dt))
