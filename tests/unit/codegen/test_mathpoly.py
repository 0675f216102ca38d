"""Accuracy of the vectorized f32 math (compiler/codegen/mathpoly.py), compiled.

Each function runs over a dense sweep of its interesting range plus the edge
cases (+-0, +-inf, NaN, subnormals, the largest finite values, overflow and
underflow thresholds and their neighbours) and is compared, in ulp, with the
correctly rounded result: the math module in float64 rounded once to f32.
"""
import math

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.types import TensorType

F32 = np.float32
TINY = np.finfo(F32).smallest_subnormal
EDGES = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, TINY, -TINY, 1e-38, 1.17549435e-38,
                  -1e-38, 1e-30, -1e-30, np.finfo(F32).max, -np.finfo(F32).max, 1.0, -1.0,
                  0.5, 0.625, -0.625, 0.927734375, -0.927734375, 88.72283, 88.72284, 88.8,
                  89.0, -87.33654, -87.4, -103.2789, -103.9, -104.0, -110.0, 9.0, -9.0,
                  20.0, -20.0, 4.0, -4.0, 1e-4, -1e-4, 1e5, -1e5,
                  # tanh: its clamp, and where it starts to round to 1
                  9.1, -9.1, 9.0, 9.01, 9.011, 9.02, 8.3, -8.3,
                  # expm1: k = 128 (the halved scale) from 88.376 on; rounding to -1
                  88.37626, 88.38, -17.0, -17.33, -18.0, 0.3465736, -0.3465736,
                  # log1p: 1 + x at the mantissa split (sqrt(2) - 1, sqrt(1/2) - 1),
                  # its lower end -1, 1 + x rounding to x (1, where its error term changes
                  # form, is above)
                  0.41421357, -0.29289323, -0.99999994, 2.0, 16777216.0, -16777216.0], F32)
# tanh's range reduction: 2|x| = 2r + k ln2 switches k at 2|x| / ln2 = j + 1/2.
TANH_K_SWITCHES = ((np.arange(27) + 0.5) * math.log(2) / 2).astype(F32)


def _with_neighbours(x):
    x = x[np.isfinite(x) & (np.abs(x) < np.finfo(F32).max)]
    return np.concatenate([x, np.nextafter(x, F32(np.inf)), np.nextafter(x, F32(-np.inf))])


def _inputs(lo, hi, n=200_001):
    dense = np.linspace(lo, hi, n, dtype=F32)
    # Every binade from the smallest subnormal up, both signs: 8 values per binade.
    mags = np.ldexp(np.linspace(1, 2, 8, endpoint=False), np.arange(-149, 128)[:, None])
    mags = mags.ravel().astype(F32)
    mags = mags[np.isfinite(mags)]
    edges = np.concatenate([EDGES, TANH_K_SWITCHES, -TANH_K_SWITCHES])
    return np.concatenate([dense, mags, -mags, _with_neighbours(edges), edges])


def _sigmoid(v):
    try:
        return 1.0 / (1.0 + math.exp(-v))
    except OverflowError:
        return 0.0


def _log(v):
    if v == 0:
        return -math.inf
    return math.log(v) if v > 0 else math.nan


def _exp(v):
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _log1p(v):
    if v == -1:
        return -math.inf
    return math.log1p(v) if v > -1 else math.nan


def _expm1(v):
    try:
        return math.expm1(v)
    except OverflowError:
        return math.inf


ORACLES = {
    # op: (math function on one float, dense range)
    "exp": (_exp, (-110, 90)),
    "expm1": (_expm1, (-20, 90)),
    "log": (_log, (0, 100)),
    "log1p": (_log1p, (-1, 100)),
    "tanh": (math.tanh, (-12, 12)),
    "sigmoid": (_sigmoid, (-110, 110)),
    "erf": (math.erf, (-6, 6)),
}

MAX_ULP = 2


def _oracle(name, x):
    fn = ORACLES[name][0]
    out = np.empty(x.shape, np.float64)
    for i, v in enumerate(x.astype(np.float64)):
        out[i] = math.nan if math.isnan(v) else fn(v)
    with np.errstate(over="ignore"):
        return out.astype(F32)  # one rounding from float64 (overflowing to inf)


def _ulp_distance(a, b):
    """Distance in representable f32 values (0 for equal values, NaN with NaN)."""
    def ordered(v):
        i = v.view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    d = np.abs(ordered(a) - ordered(b))
    both_nan = np.isnan(a) & np.isnan(b)
    return np.where(both_nan, 0, np.where(np.isnan(a) | np.isnan(b), 1 << 40, d))


@pytest.fixture(scope="module")
def compiled(build, one_op_module):
    n = len(_inputs(0, 1))
    t = TensorType(T.f32, (n,))
    return build(one_op_module("mathpoly", [(name, name, [t], {}) for name in ORACLES]))


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_within_two_ulp_of_the_correctly_rounded_value(compiled, name):
    x = _inputs(*ORACLES[name][1])
    got = np.asarray(getattr(compiled, name)(x))
    want = _oracle(name, x)
    d = _ulp_distance(got, want)
    worst = int(np.argmax(d))
    assert d[worst] <= MAX_ULP, (f"{name}({x[worst]!r}) = {got[worst]!r}, correctly rounded "
                                 f"{want[worst]!r}: {d[worst]} ulp")


# The values that must be exact, written out (independent of the sweep).
@pytest.mark.parametrize("name, x, expected", [
    ("exp", [0.0, -0.0, np.inf, -np.inf, np.nan, -104.0, 89.0],
     [1.0, 1.0, np.inf, 0.0, np.nan, 0.0, np.inf]),
    ("expm1", [0.0, -0.0, np.inf, -np.inf, np.nan, TINY, -TINY, 1e-30, -18.0, -1e30, 88.8,
               1e30],
     [0.0, -0.0, np.inf, -1.0, np.nan, TINY, -TINY, 1e-30, -1.0, -1.0, np.inf, np.inf]),
    ("log", [1.0, 0.0, -0.0, -1.0, np.inf, -np.inf, np.nan, TINY],
     [0.0, -np.inf, -np.inf, np.nan, np.inf, np.nan, np.nan, -103.27893]),
    # log1p: x itself wherever 1 + x rounds to 1, -0 and subnormals included.
    ("log1p", [0.0, -0.0, -1.0, -2.0, np.inf, -np.inf, np.nan, TINY, -TINY, 1e-30, -1e-30,
               1.0, np.finfo(F32).max],
     [0.0, -0.0, -np.inf, np.nan, np.inf, np.nan, np.nan, TINY, -TINY, 1e-30, -1e-30,
      0.6931472, 88.72284]),
    # tanh: 1 from the clamp at 9.1 on; below 2 ** -24 (subnormals too) t + 2
    # rounds to 2 and t = 2x exactly, so x comes back.
    ("tanh", [0.0, -0.0, np.inf, -np.inf, np.nan, 20.0, -20.0, 9.1, -1e30, TINY, -TINY, 1e-30],
     [0.0, -0.0, 1.0, -1.0, np.nan, 1.0, -1.0, 1.0, -1.0, TINY, -TINY, 1e-30]),
    ("sigmoid", [0.0, np.inf, -np.inf, np.nan, -200.0], [0.5, 1.0, 0.0, np.nan, 0.0]),
    ("erf", [0.0, -0.0, np.inf, -np.inf, np.nan, 10.0], [0.0, -0.0, 1.0, -1.0, np.nan, 1.0]),
])
def test_special_values(build, one_op_module, name, x, expected):
    x = np.array(x, F32)
    art = build(one_op_module(f"special_{name}",
                              [(name, name, [TensorType(T.f32, (len(x),))], {})]))
    got = np.asarray(getattr(art, name)(x))
    np.testing.assert_array_equal(got, np.array(expected, F32))
    # Signed zeros keep their sign.
    np.testing.assert_array_equal(np.signbit(got[np.asarray(expected) == 0]),
                                  np.signbit(np.array(expected, F32)[np.asarray(expected) == 0]))
