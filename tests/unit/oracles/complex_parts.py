"""Oracles for complex, real, imag, conjugate and phase, on Python complex numbers."""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T

from .elementwise import _map, _result, _type


def _part(t):
    return T.to_real(T.to_float(t))


def _unary(fn, result):
    def oracle(x):
        t = _type(x)
        return _result(_map(lambda a: fn(complex(a)), x), result(t))
    return oracle


def _complex(re, im):
    t = T.to_float(T.promote(_type(re), _type(im)))
    # Each part rounded to the parts' type first, as Nx converts before it combines.
    rounded = [np.asarray(p).astype(t.numpy).astype(np.float64) for p in (re, im)]
    return _result(_map(lambda a, b: complex(a, b), *rounded), T.to_complex(t))


ORACLES = {
    "conjugate": _unary(lambda z: z.conjugate(), lambda t: T.to_complex(T.to_float(t))),
    "real": _unary(lambda z: z.real, _part),
    "imag": _unary(lambda z: z.imag, _part),
    "phase": _unary(lambda z: math.atan2(z.imag, z.real), _part),
    "complex": _complex,
}
