"""Complex numbers from and to their parts: complex, real, imag, conjugate, phase.

Real inputs are complex numbers with a zero imaginary part, as in Nx:
real(x) is x as a float, imag(x) is zero, phase(x) is 0 or pi, conjugate(x) is
complex. Integers count as f32 (c64 when made complex).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..registry import register
from ..types import TensorType, broadcast
from .cast import convert
from .elementwise import binary_samples, unary_samples


def _part_type(t):
    """The real type of a part: c64 -> f32, s32 -> f32, bf16 -> bf16."""
    return dtypes.to_real(dtypes.to_float(t))


def _complex_type(t):
    return dtypes.to_complex(dtypes.to_float(t))


def _dtype(a):
    return dtypes.from_numpy(a.dtype)


def _as_complex(a):
    return convert(a, _complex_type(_dtype(a)))


def _unary(name, ref, result, doc, accepts=dtypes.ALL):
    def rule(x: TensorType):
        return x.with_dtype(result(x.dtype))

    rule.__doc__, rule.__name__ = doc, name
    register(name, ref=ref, accepts=accepts, samples=unary_samples)(rule)


_unary("conjugate", lambda x: np.conjugate(_as_complex(x)), _complex_type,
       "The complex conjugate re - im i; real inputs become complex (s32 -> c64).")
_unary("real", lambda x: convert(x, _part_type(_dtype(x))), _part_type,
       "The real part, in the part's float type (c64 -> f32); real inputs become floats.")
_unary("imag", lambda x: convert(_as_complex(x).imag, _part_type(_dtype(x))), _part_type,
       "The imaginary part (c64 -> f32); zero for real inputs.")


def _phase(x):
    z = _as_complex(x)
    with np.errstate(all="ignore"):
        return convert(np.arctan2(z.imag, z.real), _part_type(_dtype(x)))


_unary("phase", _phase, _part_type,
       "The angle of each element in the complex plane, atan2(im, re), in [-pi, pi]; "
       "0 or pi for real inputs.")


def _complex_ref(re, im):
    t = dtypes.to_float(dtypes.promote(_dtype(re), _dtype(im)))
    a, b = np.broadcast_arrays(convert(re, t).astype(np.float64),
                               convert(im, t).astype(np.float64))
    out = np.empty(a.shape, _complex_type(t).numpy)  # parts set apart: 1j * inf is nan + inf i
    out.real, out.imag = a, b
    return out


@register("complex", ref=_complex_ref, arity=2, accepts=dtypes.REAL, samples=binary_samples)
def complex_(re: TensorType, im: TensorType):
    """The complex number re + im i; the parts promote together, then become complex
    (f32 -> c64, f64 -> c128, integers -> c64). Real types only."""
    t = dtypes.promote(re.dtype, im.dtype)
    return broadcast(re, im, dtype=_complex_type(t), what="complex")
