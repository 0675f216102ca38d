"""Element-wise ops: binary arithmetic, unary math, comparisons, logic, select, clip.

Binary ops broadcast their operands (shapes from the right, names merged) and
promote their types with Nx's table. Operands are converted to the promoted
type first (Nx converts before it computes), and f16/bf16 math runs in f32 and
rounds once per op, as compiled code does. Every op is total: integer division
by zero and the like have defined results (docs/semantics-elementwise.md),
because compiled code cannot raise on data, and no numpy warning escapes.
"""
from __future__ import annotations

import math

import numpy as np

from nxc.runtime.errors import ShapeError

from .. import dtypes
from ..registry import register
from ..types import TensorType, broadcast
from .cast import convert


def compute_type(dt):
    """The numpy type the reference computes in: f16/bf16 widen to f32."""
    return np.dtype(np.float32) if dt in (dtypes.f16, dtypes.bf16) else dt.numpy


def _operand(a, dt):
    """`a` converted to Nx type `dt` (Nx semantics), then held in `dt`'s compute type."""
    return convert(a, dt).astype(compute_type(dt), copy=False)


def _dtype(a):
    return dtypes.from_numpy(a.dtype)


def _same(t):
    return t


def _u8(t):
    return dtypes.u8


# ---------------------------------------------------------------------------
# Samples: the cases the registry conformance test runs for each dtype.
# ---------------------------------------------------------------------------

def unary_samples(dt):
    return [([TensorType(dt, (2, 3))], {}),
            ([TensorType(dt, ())], {}),
            ([TensorType(dt, (0, 3))], {}),
            ([TensorType(dt, (4,), ("x",))], {})]


def binary_samples(dt):
    return [([TensorType(dt, (2, 3)), TensorType(dt, (2, 3))], {}),
            ([TensorType(dt, (2, 1)), TensorType(dt, (3,))], {}),
            ([TensorType(dt, ()), TensorType(dt, (4,))], {}),
            ([TensorType(dt, ()), TensorType(dt, ())], {}),
            ([TensorType(dt, (0, 3)), TensorType(dt, (3,))], {}),
            ([TensorType(dt, (2, 3), ("rows", None)), TensorType(dt, (3,), ("cols",))], {}),
            # a mixed pair: u8 is accepted by every binary op
            ([TensorType(dt, (2, 3)), TensorType(dtypes.u8, (3,))], {})]


def _select_samples(dt):
    u8 = dtypes.u8
    return [([TensorType(dt, (2, 3)), TensorType(dt, (2, 3)), TensorType(dt, (2, 3))], {}),
            ([TensorType(u8, (2, 1)), TensorType(dt, (3,)), TensorType(dt, ())], {}),
            ([TensorType(dt, ()), TensorType(dt, ()), TensorType(dt, ())], {}),
            ([TensorType(u8, (0, 3)), TensorType(dt, (3,)), TensorType(u8, (0, 1))], {}),
            ([TensorType(u8, (2, 3), ("rows", None)), TensorType(dt, (3,), ("cols",)),
              TensorType(dt, (2, 3))], {})]


def _clip_samples(dt):
    return [([TensorType(dt, (2, 3)), TensorType(dt, ()), TensorType(dt, ())], {}),
            ([TensorType(dt, (2, 3)), TensorType(dt, (3,)), TensorType(dt, (2, 1))], {}),
            ([TensorType(dt, ()), TensorType(dt, ()), TensorType(dt, ())], {}),
            ([TensorType(dt, (0, 3)), TensorType(dt, ()), TensorType(dt, (3,))], {}),
            ([TensorType(dt, (2, 3), ("rows", None)), TensorType(dtypes.u8, ()),
              TensorType(dt, (3,), ("cols",))], {})]


# ---------------------------------------------------------------------------
# Registration helpers: a binary or unary op is its name, its numpy kernel,
# the types it accepts and how its result type follows from its operands.
# ---------------------------------------------------------------------------

def binary(name, kernel, doc, *, accepts=dtypes.ALL, operand=_same, result=_same):
    """Register a broadcasting binary op.

    Both operands are converted to `operand(promote(x, y))` and `kernel` runs on
    them (in f32 for f16/bf16); the result has type `result` of that operand type.
    """
    def rule(x: TensorType, y: TensorType):
        t = operand(dtypes.promote(x.dtype, y.dtype))
        return broadcast(x, y, dtype=result(t), what=name)

    def ref(x, y):
        t = operand(dtypes.promote(_dtype(x), _dtype(y)))
        with np.errstate(all="ignore"):
            r = kernel(_operand(x, t), _operand(y, t))
        return convert(r, result(t))

    rule.__doc__, rule.__name__ = doc, name
    register(name, ref=ref, arity=2, accepts=accepts, samples=binary_samples)(rule)


def unary(name, kernel, doc, *, accepts=dtypes.ALL, operand=_same, result=_same):
    """Register a unary op: `kernel` runs on the operand converted to `operand(x)`."""
    def rule(x: TensorType):
        return x.with_dtype(result(operand(x.dtype)))

    def ref(x):
        t = operand(_dtype(x))
        with np.errstate(all="ignore"):
            r = kernel(_operand(x, t))
        return convert(r, result(t))

    rule.__doc__, rule.__name__ = doc, name
    register(name, ref=ref, accepts=accepts, samples=unary_samples)(rule)


# ---------------------------------------------------------------------------
# Kernels whose numpy counterpart differs from Nx or is not total.
# ---------------------------------------------------------------------------

def _all_ones(dt):
    """-1 for signed types, the maximum for unsigned ones: every bit set."""
    return np.array(-1).astype(dt)


def _safe_divisor(y):
    """`y` with 0 and -1 replaced by 1, and the masks of where they were.

    -1 is replaced too: MIN // -1 overflows, and x // -1 is just -x (wrapping).
    """
    zero = y == 0
    minus_one = (y == -1) if y.dtype.kind == "i" else np.zeros(y.shape, bool)
    return np.where(zero | minus_one, 1, y).astype(y.dtype), zero, minus_one


def _quotient(x, y):
    safe, zero, minus_one = _safe_divisor(y)
    # x - fmod(x, y) is an exact multiple of y, so floor division truncates here.
    q = (x - np.fmod(x, safe)) // safe
    q = np.where(minus_one, np.negative(x), q)
    return np.where(zero, _all_ones(x.dtype), q)


def _remainder(x, y):
    if x.dtype.kind not in "iu":
        return np.fmod(x, y)
    safe, zero, _ = _safe_divisor(y)
    return np.where(zero, x, np.fmod(x, safe))


def _pow(x, y):
    if x.dtype.kind != "i":
        return np.power(x, y)
    negative = y < 0
    p = np.power(x, np.where(negative, 0, y).astype(y.dtype))
    # x ** -n is 1 / x ** n truncated: 0 unless |x| is 1.
    odd = (y & 1) == 1
    inverse = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, inverse.astype(x.dtype), p)


def _ints_unchanged(kernel):
    """Rounding ops leave integers as they are."""
    return lambda x: x if x.dtype.kind in "iu" else kernel(x)


def _round_half_away(x):
    # Not trunc(x + copysign(0.5, x)): 0.49999999999999994 + 0.5 rounds up to 1.
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


_vector_erf = np.vectorize(math.erf, otypes=[np.float64])


def _erf(x):
    return _vector_erf(x.astype(np.float64))


def _truth(a):
    return np.asarray(a) != 0


# ---------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------

binary("add", np.add, "x + y; integers wrap.")
binary("subtract", np.subtract, "x - y; integers wrap (unsigned too).")
binary("multiply", np.multiply, "x * y; integers wrap.")
binary("divide", np.divide,
       "x / y in floating point (integers -> f32); division by zero is IEEE (inf, nan).",
       operand=dtypes.to_float)
binary("quotient", _quotient,
       "Integer division truncating toward zero. x quotient 0 is -1 for signed types and "
       "the maximum for unsigned ones; MIN quotient -1 is MIN.",
       accepts=dtypes.INTEGER)
binary("remainder", _remainder,
       "Remainder with the sign of the dividend (C fmod). Integer remainder(x, 0) is x; "
       "float remainder(x, 0) is nan.",
       accepts=dtypes.REAL)
binary("pow", _pow,
       "x ** y. Integers stay integers and wrap; a negative integer exponent gives 0, "
       "except 1 ** y = 1 and (-1) ** y = +-1 by the parity of y.")
binary("max", np.maximum, "The larger of x and y; NaN propagates.", accepts=dtypes.REAL)
binary("min", np.minimum, "The smaller of x and y; NaN propagates.", accepts=dtypes.REAL)
binary("atan2", np.arctan2,
       "atan2(a, b): the angle in [-pi, pi] of the point with ordinate a and abscissa b, "
       "atan(a / b) by quadrant. Integers become f32.",
       accepts=dtypes.REAL, operand=dtypes.to_float)

# ---------------------------------------------------------------------------
# Comparisons: operands are promoted to a common type, the result is u8 (0/1).
# ---------------------------------------------------------------------------

binary("equal", np.equal, "1 where x == y, else 0 (NaN equals nothing).", result=_u8)
binary("not_equal", np.not_equal, "1 where x != y, else 0 (NaN differs from everything).",
       result=_u8)
binary("less", np.less, "1 where x < y, else 0.", accepts=dtypes.REAL, result=_u8)
binary("less_equal", np.less_equal, "1 where x <= y, else 0.", accepts=dtypes.REAL,
       result=_u8)
binary("greater", np.greater, "1 where x > y, else 0.", accepts=dtypes.REAL, result=_u8)
binary("greater_equal", np.greater_equal, "1 where x >= y, else 0.", accepts=dtypes.REAL,
       result=_u8)

# ---------------------------------------------------------------------------
# Unary
# ---------------------------------------------------------------------------

unary("negate", np.negative, "-x; integers wrap (-MIN is MIN, unsigned -1 is the maximum).")
unary("abs", np.abs, "|x|; complex gives its real type (c64 -> f32); abs(MIN) wraps to MIN.",
      result=dtypes.to_real)
unary("sign", np.sign, "-1, 0 or 1 by the sign of x (NaN stays NaN); complex: x / |x|, 0 at 0.")
unary("floor", _ints_unchanged(np.floor), "The largest integer <= x; integers unchanged.",
      accepts=dtypes.REAL)
unary("ceil", _ints_unchanged(np.ceil), "The smallest integer >= x; integers unchanged.",
      accepts=dtypes.REAL)
unary("round", _ints_unchanged(_round_half_away),
      "The nearest integer, halves away from zero (2.5 -> 3, -2.5 -> -3); integers unchanged.",
      accepts=dtypes.REAL)

_MATH = {
    "exp": (np.exp, "e ** x."),
    "expm1": (np.expm1, "e ** x - 1, accurate near 0."),
    "log": (np.log, "The natural logarithm (log 0 = -inf, log of a negative real = nan)."),
    "log1p": (np.log1p, "log(1 + x), accurate near 0."),
    "sqrt": (np.sqrt, "The square root (principal branch for complex)."),
    "rsqrt": (lambda x: 1 / np.sqrt(x), "1 / sqrt(x)."),
    "sin": (np.sin, "The sine."),
    "cos": (np.cos, "The cosine."),
    "tan": (np.tan, "The tangent."),
    "tanh": (np.tanh, "The hyperbolic tangent."),
    "sigmoid": (_sigmoid, "The logistic function 1 / (1 + e ** -x)."),
}
for _name, (_kernel, _doc) in _MATH.items():
    unary(_name, _kernel, _doc + " Integers become f32.", operand=dtypes.to_float)
unary("erf", _erf, "The error function. Integers become f32.", accepts=dtypes.REAL,
      operand=dtypes.to_float)

# ---------------------------------------------------------------------------
# Logic: truthiness is `element != 0`, in any type; the result is u8 (0/1).
# Operands are not promoted: converting could round a small nonzero to 0.
# ---------------------------------------------------------------------------

def _logical(name, kernel, doc):
    def rule(x: TensorType, y: TensorType):
        return broadcast(x, y, dtype=dtypes.u8, what=name)

    rule.__doc__, rule.__name__ = doc, name
    register(name, ref=lambda x, y: kernel(_truth(x), _truth(y)).astype(np.uint8), arity=2,
             samples=binary_samples)(rule)


_logical("logical_and", np.logical_and, "1 where x and y are both nonzero, else 0.")
_logical("logical_or", np.logical_or, "1 where x or y is nonzero, else 0.")


@register("logical_not", ref=lambda x: np.logical_not(_truth(x)).astype(np.uint8),
          samples=unary_samples)
def logical_not(x: TensorType):
    """1 where x is 0, else 0."""
    return x.with_dtype(dtypes.u8)


# ---------------------------------------------------------------------------
# select and clip
# ---------------------------------------------------------------------------

def _select_ref(pred, on_true, on_false):
    t = dtypes.promote(_dtype(on_true), _dtype(on_false))
    return np.where(_truth(pred), convert(on_true, t), convert(on_false, t))


@register("select", ref=_select_ref, arity=3, samples=_select_samples, typed_operands=(1, 2))
def select(pred: TensorType, on_true: TensorType, on_false: TensorType):
    """on_true where pred is nonzero, on_false elsewhere; all three broadcast together."""
    return broadcast(pred, on_true, on_false,
                     dtype=dtypes.promote(on_true.dtype, on_false.dtype), what="select")


def _clip_ref(x, lo, hi):
    t = dtypes.promote_all([_dtype(x), _dtype(lo), _dtype(hi)])
    with np.errstate(all="ignore"):
        r = np.minimum(np.maximum(_operand(x, t), _operand(lo, t)), _operand(hi, t))
    return convert(r, t)


@register("clip", ref=_clip_ref, arity=3, accepts=dtypes.REAL, samples=_clip_samples)
def clip(x: TensorType, lo: TensorType, hi: TensorType):
    """min(max(x, lo), hi): lo and hi broadcast to x's shape; NaN propagates; hi wins
    when lo > hi."""
    t = dtypes.promote_all([x.dtype, lo.dtype, hi.dtype])
    out = broadcast(x, lo, hi, dtype=t, what="clip")
    if out.shape != x.shape:
        raise ShapeError(
            f"clip: min {lo} and max {hi} must broadcast to the shape of the clipped "
            f"tensor {x}, but together they give {out}")
    return out
