"""Random inputs for an op's sample types: small ints (so products stay in range
and zeros occur), floats ~N(0, 2), complex with both parts random."""
import numpy as np

from nxc.compiler.ir.types import TensorType


def random_array(t: TensorType, rng, shape=None):
    shape = t.shape if shape is None else shape
    dt = t.dtype
    if dt.is_unsigned:
        a = rng.integers(0, 10, size=shape)
    elif dt.is_signed_int:
        a = rng.integers(-5, 6, size=shape)
    elif dt.is_complex:
        a = rng.normal(0, 2, size=shape) + 1j * rng.normal(0, 2, size=shape)
    else:
        a = rng.normal(0, 2, size=shape)
    return np.asarray(a).astype(dt.numpy)
