"""Accuracy of the vectorized f64 math (compiler/codegen/mathpoly64.py), compiled.

Each function runs over random samples of its interesting range, random bit
patterns over the whole f64 range, every binade from the smallest subnormal up,
and the edge cases (+-0, +-inf, NaN, the largest values, the overflow and
underflow thresholds, the switch points of the range reductions and their
neighbours). The oracle is numpy on x87 long double (64-bit significand, libm's
expl/logl/...): its own error, 2 ** -11 of an f64 ulp at most, is negligible, so
the error is measured in fractions of an ulp of the exact result.
"""
import math

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.types import TensorType

F64, LD = np.float64, np.longdouble
TINY = np.finfo(F64).smallest_subnormal
BIG = np.finfo(F64).max
LN2 = math.log(2)

pytestmark = pytest.mark.skipif(np.finfo(LD).nmant < 63,
                                reason="the oracle needs a long double of 64 bits or more")

EDGES = np.array([
    0.0, -0.0, np.inf, -np.inf, np.nan, TINY, -TINY, 2.2250738585072014e-308, 1e-300, -1e-300,
    BIG, -BIG, 1.0, -1.0, 0.5, 2.0, 1e-8, -1e-8, 1e-17, -1e-17, 1e5, -1e5,
    # exp: overflow (709.78), the clamps, the last normal (-708.40) and subnormal
    # (-745.13) results
    709.782712893384, 709.7827128933841, 710.0, -708.3964185322641, -708.4, -745.1332191019411,
    -745.1332191019412, -746.0, -750.0,
    # expm1: k = 0 up to ln2, rounding to -1 from -38, the halved scale from
    # k = 1024 (709.436) on
    LN2, -LN2, -37.5, -38.0, 709.4361393, 709.44,
    # tanh: the rational side up to 0.625, the clamp, rounding to 1 (19.06)
    0.625, -0.625, 19.1, -19.1, 19.06, 19.07, 18.5,
    # erf: its four intervals and rounding to 1 (5.92)
    0.84375, -0.84375, 1.25, -1.25, 1 / 0.35, -1 / 0.35, 5.92, 6.0, -6.0,
    # log: the mantissa split at sqrt(1/2)
    math.sqrt(0.5), 2 * math.sqrt(0.5), 1 - 2 ** -53, 1 + 2 ** -52,
    # log1p: 1 + x at that split, its lower end -1, 1 + x rounding to x (1,
    # where its error term changes form, is above)
    math.sqrt(0.5) - 1, math.sqrt(2) - 1, -1 + 2 ** -53, 2 ** 53, -2 ** 53,
], F64)
# The range reduction x = r + k ln2 switches k at x / ln2 = j + 1/2.
K_SWITCHES = (np.arange(-1080, 1030) + 0.5) * LN2


def _with_neighbours(x):
    x = x[np.isfinite(x) & (np.abs(x) < BIG)]
    return np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])


def _inputs(lo, hi, n=400_000):
    rng = np.random.default_rng(20240917)
    dense = rng.uniform(lo, hi, n)
    # Any finite f64, both signs, by its bits.
    bits = rng.integers(0, 0x7FF0000000000000, n // 4, dtype=np.int64).view(F64)
    # Every binade from the smallest subnormal up: 4 values per binade.
    mags = np.ldexp(np.linspace(1, 2, 4, endpoint=False), np.arange(-1074, 1024)[:, None]).ravel()
    edges = np.concatenate([EDGES, K_SWITCHES, -K_SWITCHES, K_SWITCHES / 2])
    return np.concatenate([dense, bits, -bits, mags, -mags, _with_neighbours(edges), edges])


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x < 0, e, 1) / (1 + e)


def _erf(x):
    """glibc's erf (math.erf), the long double one being missing from numpy: its
    own error, up to 1 ulp, is added to erf's bound below."""
    return np.vectorize(math.erf, otypes=[F64])(x.astype(F64)).astype(LD)


ORACLES = {
    # op: (long double function, dense range, bound in ulp of the exact result)
    "exp": (np.exp, (-750, 712), 1.0),
    "expm1": (np.expm1, (-40, 712), 1.5),
    "log": (np.log, (0, 100), 1.0),
    "log1p": (np.log1p, (-1, 100), 1.0),
    "tanh": (np.tanh, (-20, 20), 1.5),
    "sigmoid": (_sigmoid, (-750, 750), 2.5),
    "erf": (_erf, (-7, 7), 1.5 + 1.0),
}


def _ulp_error(got, x, fn):
    """|got - f(x)| in ulp of f(x) rounded to f64 (the smaller ulp at a binade's
    edge); 0 where got is f(x) rounded, NaN with NaN or the same infinity."""
    with np.errstate(all="ignore"):
        exact = fn(x.astype(LD))
        rounded = exact.astype(F64)
        a = np.abs(rounded)
        ulp = np.minimum(np.spacing(a), np.spacing(np.nextafter(a, 0)))
        err = np.abs(got.astype(LD) - exact) / np.maximum(ulp, TINY).astype(LD)
    same = (got == rounded) | (np.isnan(got) & np.isnan(rounded))
    return np.where(same, 0, np.where(np.isnan(err), np.inf, err)).astype(F64)


@pytest.fixture(scope="module")
def compiled(build, one_op_module):
    t = TensorType(T.f64, (len(_inputs(0, 1)),))
    return build(one_op_module("mathpoly64", [(name, name, [t], {}) for name in ORACLES]))


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_within_the_documented_ulp_bound(compiled, name):
    fn, span, bound = ORACLES[name]
    x = _inputs(*span)
    got = np.asarray(getattr(compiled, name)(x))
    err = _ulp_error(got, x, fn)
    worst = int(np.argmax(err))
    assert err[worst] <= bound, (f"{name}({x[worst]!r}) = {got[worst]!r}, exact "
                                 f"{fn(LD(x[worst]))!r}: {err[worst]:.3f} ulp")


# The values that must be exact, written out (independent of the sweep).
@pytest.mark.parametrize("name, x, expected", [
    ("exp", [0.0, -0.0, np.inf, -np.inf, np.nan, -746.0, -1e300, 710.0, 1e300, TINY, -740.0,
             LN2],
     [1.0, 1.0, np.inf, 0.0, np.nan, 0.0, 0.0, np.inf, np.inf, 1.0, 85 * TINY, 2.0]),
    ("expm1", [0.0, -0.0, np.inf, -np.inf, np.nan, TINY, -TINY, 1e-300, -38.0, -1e300, 710.0,
               1e300],
     [0.0, -0.0, np.inf, -1.0, np.nan, TINY, -TINY, 1e-300, -1.0, -1.0, np.inf, np.inf]),
    ("log", [1.0, 0.0, -0.0, -1.0, -TINY, np.inf, -np.inf, np.nan, TINY, BIG, 2.0, math.e],
     [0.0, -np.inf, -np.inf, np.nan, np.nan, np.inf, np.nan, np.nan, -744.4400719213812,
      709.782712893384, LN2, 1.0]),
    # log1p: x itself wherever 1 + x rounds to 1, -0 and subnormals included.
    ("log1p", [0.0, -0.0, -1.0, -2.0, np.inf, -np.inf, np.nan, TINY, -TINY, 1e-300, -1e-300,
               1.0, math.e - 1, BIG],
     [0.0, -0.0, -np.inf, np.nan, np.inf, np.nan, np.nan, TINY, -TINY, 1e-300, -1e-300, LN2,
      1.0, 709.782712893384]),
    # tanh: +-1 from the clamp on; x itself where x**3 / 3 is below half an ulp.
    ("tanh", [0.0, -0.0, np.inf, -np.inf, np.nan, 20.0, -20.0, 19.1, -1e300, TINY, -TINY,
              1e-300, 1e-9],
     [0.0, -0.0, 1.0, -1.0, np.nan, 1.0, -1.0, 1.0, -1.0, TINY, -TINY, 1e-300, 1e-9]),
    ("sigmoid", [0.0, -0.0, np.inf, -np.inf, np.nan, -750.0, 40.0],
     [0.5, 0.5, 1.0, 0.0, np.nan, 0.0, 1.0]),
    ("erf", [0.0, -0.0, np.inf, -np.inf, np.nan, 6.0, -6.0, 5.93, 1e300, TINY, -TINY],
     [0.0, -0.0, 1.0, -1.0, np.nan, 1.0, -1.0, 1.0, 1.0, TINY, -TINY]),
])
def test_special_values(build, one_op_module, name, x, expected):
    x = np.array(x, F64)
    art = build(one_op_module(f"special64_{name}",
                              [(name, name, [TensorType(T.f64, (len(x),))], {})]))
    got = np.asarray(getattr(art, name)(x))
    np.testing.assert_array_equal(got, np.array(expected, F64))
    # Signed zeros keep their sign.
    zero = np.asarray(expected) == 0
    np.testing.assert_array_equal(np.signbit(got[zero]), np.signbit(np.array(expected, F64)[zero]))
