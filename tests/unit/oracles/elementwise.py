"""Oracles for the element-wise ops, written without their references.

Every oracle works element by element on Python numbers: integers as Python
ints wrapped by hand to the result's width, real numbers in float64 through the
math module (with IEEE results where math raises), complex numbers through
cmath, and erf as its Taylor series in 50-digit decimals. Only the result type
comes from nxc's promotion table, which test_dtypes.py checks on its own; the
values are rounded once to that type, so overflow to inf shows as in Nx.
"""
import cmath
import decimal
import math

import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py as _py, wrap as _wrap

INF, NAN = math.inf, math.nan


# ---------------------------------------------------------------------------
# Plumbing: arrays <-> Python numbers, wrapping, the result type.
# ---------------------------------------------------------------------------

def _to(v, dt):
    """A Python number converted to Nx type `dt`, for the numbers an oracle sees."""
    if dt.is_int:
        return _wrap(int(v), dt)
    if dt.is_complex:
        return complex(v)
    return float(v)


def _map(fn, *arrays):
    """`fn` on each tuple of broadcast elements; an object array of the results."""
    return np.asarray(np.frompyfunc(fn, len(arrays), 1)(*map(_py, arrays)), dtype=object)


def _result(obj, dt):
    if dt.is_int:
        return np.asarray([_wrap(int(v), dt) for v in obj.ravel()], dtype=object) \
            .reshape(obj.shape).astype(dt.numpy)
    kind = np.complex128 if dt.is_complex else np.float64
    return obj.astype(kind).astype(dt.numpy)


def _type(a):
    return T.from_numpy(np.asarray(a).dtype)


def _isnan(v):
    return isinstance(v, (float, complex)) and cmath.isnan(v)


# ---------------------------------------------------------------------------
# Drivers: a per-element function becomes an oracle on arrays.
# ---------------------------------------------------------------------------

def _binary(fn, result=lambda t: t, floats=False):
    """Operands converted to their common type (to floats with `floats`), then `fn`."""
    def oracle(x, y):
        t = T.promote(_type(x), _type(y))
        if floats:
            t = T.to_float(t)
        return _result(_map(lambda a, b: fn(_to(a, t), _to(b, t)), x, y), result(t))
    return oracle


def _unary(fn, result=lambda t: t, floats=False):
    def oracle(x):
        t = T.to_float(_type(x)) if floats else _type(x)
        return _result(_map(lambda a: fn(_to(a, t)), x), result(t))
    return oracle


def _u8(t):
    return T.u8


def _real_or_complex(real, cplx):
    """A real function in math with its IEEE value where math raises, or its cmath twin."""
    def fn(a):
        if isinstance(a, complex):
            return cplx(a)
        try:
            return real(a)
        except OverflowError:
            return INF
        except ValueError:
            return NAN
    return fn


# ---------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------

def _divide(a, b):
    if b != 0:
        return a / b
    if isinstance(b, complex):  # each part divided by the (real) zero
        return complex(_divide(a.real, b.real), _divide(a.imag, b.real))
    if a == 0 or _isnan(a):
        return NAN
    return math.copysign(INF, a) * math.copysign(1, b)


def _quotient(a, b):
    if b == 0:
        return -1  # every bit set: -1 signed, the maximum unsigned (after wrapping)
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q  # MIN / -1 = -MIN wraps to MIN


def _remainder(a, b):
    if isinstance(a, int):
        if b == 0:
            return a
        r = abs(a) % abs(b)
        return r if a >= 0 else -r
    try:
        return math.fmod(a, b)
    except ValueError:  # fmod(x, 0), fmod(inf, y)
        return NAN


def _pow(a, b):
    if isinstance(a, int):
        if b >= 0:
            return a ** b
        if a == 1:
            return 1
        if a == -1:
            return -1 if b % 2 else 1
        return 0
    if isinstance(a, complex):
        try:
            return a ** b
        except ZeroDivisionError:
            return complex(INF, NAN)
    try:
        return math.pow(a, b)
    except OverflowError:
        odd = float(b).is_integer() and int(b) % 2 == 1
        return -INF if a < 0 and odd else INF
    except ValueError:
        return INF if a == 0 else NAN  # 0 ** negative is inf; negative ** fraction is nan


def _max(a, b):
    return NAN if _isnan(a) or _isnan(b) else max(a, b)


def _min(a, b):
    return NAN if _isnan(a) or _isnan(b) else min(a, b)


# ---------------------------------------------------------------------------
# Unary
# ---------------------------------------------------------------------------

def _sign(a):
    if isinstance(a, complex):
        return 0j if a == 0 else a / abs(a)
    if _isnan(a):
        return NAN
    return type(a)((a > 0) - (a < 0))


def _rounding(fn):
    """Integers and non-finite floats are unchanged; others go through `fn`."""
    def go(a):
        if isinstance(a, int) or not math.isfinite(a):
            return a
        return float(fn(a))
    return go


def _round_half_away(a):
    # Decimal(a) is the float's exact value, so only true halves are ties.
    return decimal.Decimal(a).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP)


def _log(a):
    return -INF if a == 0 else math.log(a)


def _log1p(a):
    return -INF if a == -1 else math.log1p(a)


def _rsqrt(a):
    return math.copysign(INF, a) if a == 0 else 1 / math.sqrt(a)


def _sigmoid(a):
    try:
        return 1 / (1 + math.exp(-a))
    except OverflowError:
        return 0.0


_SQRT_PI = decimal.Decimal("1.7724538509055160272981674833411451827975494561223871")


def _erf(a):
    """erf by its Taylor series, in 50 digits so that no cancellation shows."""
    if math.isnan(a):
        return NAN
    if abs(a) >= 6:  # 1 - erf(6) < 3e-17: erf is +-1 in float64
        return math.copysign(1.0, a)
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        x = decimal.Decimal(a)
        term, total, n = x, x, 0  # term = (-1)^n x^(2n+1) / n!
        while True:
            n += 1
            term = -term * x * x / n
            step = term / (2 * n + 1)
            total += step
            if abs(step) < decimal.Decimal(10) ** -45:
                break
        return float(2 * total / _SQRT_PI)


_MATH = {
    "exp": (math.exp, cmath.exp),
    "expm1": (math.expm1, lambda z: cmath.exp(z) - 1),
    "log": (_log, cmath.log),
    "log1p": (_log1p, lambda z: cmath.log(1 + z)),
    "sqrt": (math.sqrt, cmath.sqrt),
    "rsqrt": (_rsqrt, lambda z: 1 / cmath.sqrt(z)),
    "sin": (math.sin, cmath.sin),
    "cos": (math.cos, cmath.cos),
    "tan": (math.tan, cmath.tan),
    "tanh": (math.tanh, cmath.tanh),
    "sigmoid": (_sigmoid, lambda z: 1 / (1 + cmath.exp(-z))),
}


# ---------------------------------------------------------------------------
# select and clip
# ---------------------------------------------------------------------------

def _select(pred, on_true, on_false):
    t = T.promote(_type(on_true), _type(on_false))
    pick = _map(lambda p, a, b: _to(a, t) if p != 0 else _to(b, t), pred, on_true, on_false)
    return _result(pick, t)


def _clip(x, lo, hi):
    t = T.promote(T.promote(_type(x), _type(lo)), _type(hi))

    def one(a, low, high):
        a, low, high = _to(a, t), _to(low, t), _to(high, t)
        if any(_isnan(v) for v in (a, low, high)):
            return NAN
        return min(max(a, low), high)
    return _result(_map(one, x, lo, hi), t)


ORACLES = {
    "add": _binary(lambda a, b: a + b),
    "subtract": _binary(lambda a, b: a - b),
    "multiply": _binary(lambda a, b: a * b),
    "divide": _binary(_divide, floats=True),
    "quotient": _binary(_quotient),
    "remainder": _binary(_remainder),
    "pow": _binary(_pow),
    "max": _binary(_max),
    "min": _binary(_min),
    "atan2": _binary(math.atan2, floats=True),
    "equal": _binary(lambda a, b: int(a == b), _u8),
    "not_equal": _binary(lambda a, b: int(a != b), _u8),
    "less": _binary(lambda a, b: int(a < b), _u8),
    "less_equal": _binary(lambda a, b: int(a <= b), _u8),
    "greater": _binary(lambda a, b: int(a > b), _u8),
    "greater_equal": _binary(lambda a, b: int(a >= b), _u8),
    # Truthiness on the operands as given: no promotion before testing != 0.
    "logical_and": lambda x, y: _result(_map(lambda a, b: int(a != 0 and b != 0), x, y), T.u8),
    "logical_or": lambda x, y: _result(_map(lambda a, b: int(a != 0 or b != 0), x, y), T.u8),
    "logical_not": lambda x: _result(_map(lambda a: int(a == 0), x), T.u8),
    "negate": _unary(lambda a: -a),
    "abs": _unary(abs, T.to_real),
    "sign": _unary(_sign),
    "floor": _unary(_rounding(math.floor)),
    "ceil": _unary(_rounding(math.ceil)),
    "round": _unary(_rounding(_round_half_away)),
    **{name: _unary(_real_or_complex(real, cplx), floats=True)
       for name, (real, cplx) in _MATH.items()},
    "erf": _unary(_erf, floats=True),
    "select": _select,
    "clip": _clip,
}
