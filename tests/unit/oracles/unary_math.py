"""Oracles for the unary math ops of compiler/ir/ops/unary_math.py, element by
element on Python floats through the math module (IEEE values where math
raises), and erf_inv by bisection on math.erf."""
import cmath
import math

from .elementwise import _unary

INF, NAN = math.inf, math.nan


def _ieee(fn, overflow=None, domain=NAN):
    """fn with IEEE results where math raises: `overflow(a)` on overflow, `domain(a)`
    (or the constant) outside the domain."""
    def go(a):
        if math.isnan(a):
            return NAN
        try:
            return fn(a)
        except OverflowError:
            return overflow(a)
        except ValueError:
            return domain(a) if callable(domain) else domain
    return go


def _sign_inf(a):
    return math.copysign(INF, a)


def _atanh_domain(a):
    return _sign_inf(a) if abs(a) == 1 else NAN


def _log_base(real_log, base):
    def go(a):
        if isinstance(a, complex):
            return cmath.log(a) / math.log(base)
        if a == 0:
            return -INF
        return _ieee(real_log)(a)
    return go


def _erf_inv(y):
    if math.isnan(y) or abs(y) > 1:
        return NAN
    if abs(y) == 1:
        return _sign_inf(y)
    lo, hi = -7.0, 7.0
    while True:  # until the interval cannot shrink: the float nearest the root
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if math.erf(mid) < y:
            lo = mid
        else:
            hi = mid
    return lo if abs(math.erf(lo) - y) <= abs(math.erf(hi) - y) else hi


ORACLES = {
    "cosh": _unary(_ieee(math.cosh, lambda a: INF), floats=True),
    "sinh": _unary(_ieee(math.sinh, _sign_inf), floats=True),
    "acos": _unary(_ieee(math.acos), floats=True),
    "asin": _unary(_ieee(math.asin), floats=True),
    "atan": _unary(_ieee(math.atan), floats=True),
    "acosh": _unary(_ieee(math.acosh), floats=True),
    "asinh": _unary(_ieee(math.asinh), floats=True),
    "atanh": _unary(_ieee(math.atanh, domain=_atanh_domain), floats=True),
    "cbrt": _unary(_ieee(math.cbrt), floats=True),
    "erfc": _unary(_ieee(math.erfc), floats=True),
    "erf_inv": _unary(_erf_inv, floats=True),
    "log2": _unary(_log_base(math.log2, 2), floats=True),
    "log10": _unary(_log_base(math.log10, 10), floats=True),
}
