"""Element-wise ops as `linalg.generic` over the broadcast result shape.

Each op is a kernel on one element, following `compiler/ir/ops/elementwise.py`:
operands are converted to the op's operand type (Nx conversion), then widened
to its compute type (f16/bf16 -> f32); the kernel returns its value and the
dtype that value is in; that is converted to the result type (rounding f16/bf16
once). Kernels get the compute dtype `c` and compute values.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, func, scf
from mlir.dialects import complex as cx
from mlir.dialects import math

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.dtypes import to_float, to_real

from .. import fusion, mathpoly, mathpoly64
from .. import scalar as S
from ..mlir_types import compute_dtype, compute_type, element_type
from . import lowering


def _same(t):
    return t


def _keep(c):
    """The kernel result stays in the compute type."""
    return c


# ---------------------------------------------------------------------------
# Kernels that are more than one MLIR op
# ---------------------------------------------------------------------------

def _all_ones(c):
    return S.const(c, -1)  # every bit set: -1 signed, the maximum unsigned


def _quotient(c, x, y):
    zero = S.compare(c, "eq", y, S.const(c, 0))
    one = S.const(c, 1)
    if c.is_unsigned:
        q = arith.divui(x, arith.select(zero, one, y))
        return arith.select(zero, _all_ones(c), q)
    minus_one = S.compare(c, "eq", y, S.const(c, -1))
    # MIN / -1 overflows; x quotient -1 is -x, wrapping.
    safe = arith.select(arith.ori(zero, minus_one), one, y)
    q = arith.divsi(x, safe)
    q = arith.select(minus_one, S.neg(c, x), q)
    return arith.select(zero, _all_ones(c), q)


def _remainder(c, x, y):
    if c.is_float:
        return arith.remf(x, y)  # C fmod: the sign of the dividend
    zero = S.compare(c, "eq", y, S.const(c, 0))
    one = S.const(c, 1)
    if c.is_unsigned:
        r = arith.remui(x, arith.select(zero, one, y))
    else:
        # x rem -1 is 0, and MIN rem -1 would overflow: divide by 1 instead.
        minus_one = S.compare(c, "eq", y, S.const(c, -1))
        r = arith.remsi(x, arith.select(arith.ori(zero, minus_one), one, y))
    return arith.select(zero, x, r)


def _int_pow(c, x, y):
    """Square-and-multiply over the exponent's bits; integers wrap.

    A negative exponent gives 1 / x ** -y truncated: 0 unless |x| is 1.
    """
    e = y
    if c.is_signed_int:
        negative = S.compare(c, "lt", y, S.const(c, 0))
        e = arith.select(negative, S.const(c, 0), y)
    loop = scf.ForOp(S.index(0), S.index(c.bits), S.index(1), [S.const(c, 1), x, e])
    with ir.InsertionPoint(loop.body):
        acc, base, bits = loop.inner_iter_args
        odd = S.compare(c, "ne", arith.andi(bits, S.const(c, 1)), S.const(c, 0))
        acc = arith.select(odd, arith.muli(acc, base), acc)
        scf.YieldOp([acc, arith.muli(base, base), arith.shrui(bits, S.const(c, 1))])
    p = loop.results[0]
    if not c.is_signed_int:
        return p
    one, minus_one = S.const(c, 1), S.const(c, -1)
    y_odd = S.compare(c, "ne", arith.andi(y, one), S.const(c, 0))
    inverse = arith.select(S.compare(c, "eq", x, one), one,
                           arith.select(S.compare(c, "eq", x, minus_one),
                                        arith.select(y_odd, minus_one, one), S.const(c, 0)))
    return arith.select(negative, inverse, p)


def _pow(c, x, y):
    if c.is_int:
        return _int_pow(c, x, y)
    return math.powf(x, y) if c.is_float else _complex_pow(c, x, y)


def _parts(v):
    return cx.re(v), cx.im(v)


def _pack(c, re, im):
    return cx.create_(compute_type(c), re, im)


def _complex_pow(c, a, b):
    """numpy's cpow: x ** 0 = 1; 0 ** y = 0 (re y > 0) or nan; small integer
    exponents by repeated multiplication; otherwise exp(y log x) as C's cpow."""
    part = c.real
    pt = compute_type(part)
    zero = S.const(part, 0)
    (ar, ai), (br, bi) = _parts(a), _parts(b)
    b_zero = arith.andi(S.compare(part, "eq", br, zero), S.compare(part, "eq", bi, zero))
    a_zero = arith.andi(S.compare(part, "eq", ar, zero), S.compare(part, "eq", ai, zero))
    # The integer exponent n, when b is real, integral and |n| < 100.
    small = S.compare(part, "lt", math.absf(br), S.const(part, 100))
    n_float = arith.select(small, br, zero)
    i64 = element_type(dtypes.s64)
    n = arith.fptosi(i64, n_float)
    integral = arith.andi(arith.andi(small, S.compare(part, "eq", bi, zero)),
                          S.compare(part, "eq", arith.sitofp(pt, n), br))
    count = math.absi(n)
    loop = scf.ForOp(S.index(0), S.index(7), S.index(1), [S.const(c, 1), a])
    with ir.InsertionPoint(loop.body):
        k = arith.index_cast(i64, loop.induction_variable)
        acc, p = loop.inner_iter_args
        bit = arith.andi(arith.shrui(count, k), S.constant(i64, 1))
        acc = arith.select(arith.cmpi(S.I.ne, bit, S.constant(i64, 0)), S.mul(c, acc, p),
                           acc)
        scf.YieldOp([acc, S.mul(c, p, p)])
    powered = loop.results[0]
    powered = arith.select(S.compare(part, "lt", br, zero),
                           S.div(c, S.const(c, 1), powered), powered)
    for k, value in ((1, a), (2, S.mul(c, a, a)),
                     (3, S.mul(c, a, S.mul(c, a, a)))):
        powered = arith.select(arith.cmpi(S.I.eq, n, S.constant(i64, k)), value, powered)
    general = cx.exp(cx.mul(b, cx.log(a)))
    r = arith.select(integral, powered, general)
    nan = S.const(c, complex(float("nan"), float("nan")))
    r = arith.select(a_zero, arith.select(S.compare(part, "gt", br, zero), S.const(c, 0), nan),
                     r)
    return arith.select(b_zero, S.const(c, 1), r)


def _complex_sign(em, c, x):
    """x / |x|, 0 at 0; as numpy: an infinite part alone gives its unit direction,
    two infinite parts give nan."""
    part = c.real
    re, im = _parts(x)
    zero, one, inf = S.const(part, 0), S.const(part, 1), S.const(part, float("inf"))
    a = libm(em, "hypot", part, re, im)
    r = _pack(c, arith.divf(re, a), arith.divf(im, a))
    r = arith.select(S.compare(part, "eq", a, zero), S.const(c, 0), r)
    re_inf = S.compare(part, "eq", math.absf(re), inf)
    im_inf = S.compare(part, "eq", math.absf(im), inf)
    not_ = lambda v: arith.xori(v, S.true())  # noqa: E731
    r = arith.select(arith.andi(re_inf, not_(im_inf)), _pack(c, math.copysign(one, re), zero), r)
    r = arith.select(arith.andi(im_inf, not_(re_inf)), _pack(c, zero, math.copysign(one, im)), r)
    nan = S.const(c, complex(float("nan"), float("nan")))
    return arith.select(arith.andi(re_inf, im_inf), nan, r)


def _sign(em, c, x):
    zero = S.const(c, 0)
    if c.is_complex:
        return _complex_sign(em, c, x)
    if c.is_unsigned:
        return arith.select(S.compare(c, "ne", x, zero), S.const(c, 1), zero)
    # Floats: NaN and +-0 are their own sign.
    rest = x if c.is_float else zero
    return arith.select(S.compare(c, "gt", x, zero), S.const(c, 1),
                        arith.select(S.compare(c, "lt", x, zero), S.const(c, -1), rest))


def _abs(em, c, x):
    if c.is_complex:  # hypot, as numpy: |inf + nan j| is inf
        return libm(em, "hypot", c.real, *_parts(x))
    if c.is_unsigned:
        return x
    return math.absi(x) if c.is_int else math.absf(x)  # absi(MIN) wraps to MIN


def _ints_unchanged(float_op):
    return lambda c, x: x if c.is_int else float_op(x)


def libm(em, name: str, c, *args):
    """Call the C math library (`expm1f` for f32, `expm1` for f64) on compute values."""
    symbol = name + ("f" if c == dtypes.f32 else "")
    ty = compute_type(c)
    em.declare(symbol, [ty] * len(args), [ty])
    return func.call([ty], ir.FlatSymbolRefAttr.get(symbol), list(args))


def _unary_math(real, complex_=None, libm_name=None, complex_kernel=None):
    """A math function: an MLIR math op (or a libm call, for accuracy) on reals,
    a complex dialect op (or a kernel of our own) on complex numbers."""
    def kernel(em, c, x):
        if c.is_complex:
            return complex_kernel(em, c, x) if complex_kernel else complex_(x)
        return libm(em, libm_name, c, x) if libm_name else real(x)
    return kernel


def _complex_expm1(em, c, x):
    """numpy's formula: (expm1(a) cos(b) - 2 sin(b/2)^2, exp(a) sin(b))."""
    part = c.real
    a, b = _parts(x)
    half = math.sin(arith.mulf(b, S.const(part, 0.5)))
    re = arith.subf(arith.mulf(libm(em, "expm1", part, a), math.cos(b)),
                    arith.mulf(S.const(part, 2), arith.mulf(half, half)))
    return _pack(c, re, arith.mulf(math.exp(a), math.sin(b)))


def _complex_log1p(em, c, x):
    """numpy's formula: (log(hypot(a + 1, b)), atan2(b, a + 1))."""
    part = c.real
    a, b = _parts(x)
    a1 = arith.addf(a, S.const(part, 1))
    return _pack(c, math.log(libm(em, "hypot", part, a1, b)), libm(em, "atan2", part, b, a1))


def _complex_sqrt(em, c, x):
    """The principal square root as C's csqrt computes it (c64 in f64, as csqrtf):
    sqrt((|a| + |z|) / 2) for one part and b / (2 t) for the other, which keeps
    precision where the complex dialect's formula cancels."""
    part = c.real
    wide = dtypes.f64
    a, b = (S.convert(v, part, wide) for v in _parts(x))
    zero, half, two = S.const(wide, 0), S.const(wide, 0.5), S.const(wide, 2)
    t = math.sqrt(arith.mulf(arith.addf(math.absf(a), libm(em, "hypot", wide, a, b)), half))
    other = arith.divf(b, arith.mulf(two, t))
    positive = S.compare(wide, "ge", a, zero)
    re = arith.select(positive, t, math.absf(other))
    im = arith.select(positive, other, math.copysign(t, b))
    # Special values, as C99 Annex G and numpy give them.
    inf = S.const(wide, float("inf"))
    b_inf = S.compare(wide, "eq", math.absf(b), inf)
    a_inf = S.compare(wide, "eq", math.absf(a), inf)
    nan_b = arith.subf(b, b)  # nan unless b is finite, then 0
    a_neg = S.compare(wide, "lt", a, zero)
    inf_re = arith.select(a_neg, math.absf(nan_b), a)
    inf_im = arith.select(a_neg, math.copysign(a, b), math.copysign(nan_b, b))
    re = arith.select(a_inf, inf_re, re)
    im = arith.select(a_inf, inf_im, im)
    a_nan = S.is_nan(wide, a)
    re = arith.select(a_nan, a, re)
    im = arith.select(a_nan, arith.divf(nan_b, nan_b), im)
    re = arith.select(b_inf, inf, re)
    im = arith.select(b_inf, b, im)
    both_zero = arith.andi(S.compare(wide, "eq", a, zero), S.compare(wide, "eq", b, zero))
    re = arith.select(both_zero, zero, re)
    im = arith.select(both_zero, b, im)
    return _pack(c, S.convert(re, wide, part), S.convert(im, wide, part))


def _rsqrt(em, c, x):
    one = S.const(c, 1)
    return S.div(c, one, _complex_sqrt(em, c, x) if c.is_complex else math.sqrt(x))


def _vectorized(name, kernel):
    """`kernel`, except in f32 (and f16/bf16, computed in f32) and f64, where the
    polynomial expansion of mathpoly (mathpoly64) replaces it when there is one:
    the loop then vectorizes."""
    polys = {dtypes.f32: mathpoly.F32.get(name), dtypes.f64: mathpoly64.F64.get(name)}

    def kernel_or_poly(em, c, x):
        poly = polys.get(c)
        return poly(x) if poly else kernel(em, c, x)
    return kernel_or_poly


def _sigmoid(em, c, x):
    one = S.const(c, 1)
    e = cx.exp(S.neg(c, x)) if c.is_complex else math.exp(S.neg(c, x))
    return S.div(c, one, S.add(c, one, e))


# ---------------------------------------------------------------------------
# Tables: name -> (kernel, operand type rule, dtype of the kernel's value)
# ---------------------------------------------------------------------------

def _plain(fn):
    """A kernel from a scalar helper that needs no emitter: fn(c, *values)."""
    return lambda em, c, *xs: fn(c, *xs)


def _compare(how):
    return lambda em, c, x, y: S.compare(c, how, x, y)


def _erf(em, c, x):
    """libm's erf, for a float type without an expansion (f32 and f64 have one)."""
    return libm(em, "erf", c, x)


_BOOL = lambda c: S.BOOL  # noqa: E731  (predicates: an i1 value)

# Kernels take (emitter, compute dtype c, compute values); the second entry maps
# the promoted operand dtype to the operand type, the third gives the dtype of
# the value the kernel returns from c.
BINARY = {
    "add": (_plain(S.add), _same, _keep),
    "subtract": (_plain(S.sub), _same, _keep),
    "multiply": (_plain(S.mul), _same, _keep),
    "divide": (_plain(S.div), to_float, _keep),
    "quotient": (_plain(_quotient), _same, _keep),
    "remainder": (_plain(_remainder), _same, _keep),
    "pow": (_plain(_pow), _same, _keep),
    "max": (_plain(S.maximum), _same, _keep),
    "min": (_plain(S.minimum), _same, _keep),
    "atan2": (lambda em, c, x, y: libm(em, "atan2", c, x, y), to_float, _keep),
    "equal": (_compare("eq"), _same, _BOOL),
    "not_equal": (_compare("ne"), _same, _BOOL),
    "less": (_compare("lt"), _same, _BOOL),
    "less_equal": (_compare("le"), _same, _BOOL),
    "greater": (_compare("gt"), _same, _BOOL),
    "greater_equal": (_compare("ge"), _same, _BOOL),
}

UNARY = {
    "negate": (_plain(S.neg), _same, _keep),
    "abs": (_abs, _same, to_real),
    "sign": (_sign, _same, _keep),
    "floor": (_plain(_ints_unchanged(math.floor)), _same, _keep),
    "ceil": (_plain(_ints_unchanged(math.ceil)), _same, _keep),
    "round": (_plain(_ints_unchanged(math.round)), _same, _keep),
    "exp": (_vectorized("exp", _unary_math(math.exp, cx.exp)), to_float, _keep),
    "expm1": (_vectorized("expm1", _unary_math(None, None, "expm1", _complex_expm1)), to_float,
              _keep),
    "log": (_vectorized("log", _unary_math(math.log, cx.log)), to_float, _keep),
    "log1p": (_vectorized("log1p", _unary_math(None, None, "log1p", _complex_log1p)), to_float,
              _keep),
    "sqrt": (_unary_math(math.sqrt, None, None, _complex_sqrt), to_float, _keep),
    "rsqrt": (_rsqrt, to_float, _keep),
    "sin": (_unary_math(math.sin, cx.sin), to_float, _keep),
    "cos": (_unary_math(math.cos, cx.cos), to_float, _keep),
    "tan": (_unary_math(None, cx.tan, "tan"), to_float, _keep),
    "tanh": (_vectorized("tanh", _unary_math(None, cx.tanh, "tanh")), to_float, _keep),
    "sigmoid": (_vectorized("sigmoid", _sigmoid), to_float, _keep),
    "erf": (_vectorized("erf", _erf), to_float, _keep),
}


def _operand(v, src, t):
    """A storage scalar of `src` as a compute value of the operand type `t`."""
    return S.load(S.convert(v, src, t), t)


def _lower(table, name):
    kernel, operand, result = table[name]

    def lower(em, op, *xs):
        types = [v.type for v in op.operands]
        t = operand(dtypes.promote_all([tt.dtype for tt in types]))
        c = compute_dtype(t)
        out = op.result.type

        def body(*values):
            values = [_operand(v, tt.dtype, t) for v, tt in zip(values, types)]
            return S.convert(kernel(em, c, *values), result(c), out.dtype)
        return em.elementwise(out, list(zip(xs, types)), body)
    return lower


for _table in (BINARY, UNARY):
    for _name in _table:
        lowering(_name)(_lower(_table, _name))

fusion.ELEMENTWISE.update(BINARY, UNARY, ("logical_and", "logical_or", "logical_not",
                                          "select", "clip"))


# ---------------------------------------------------------------------------
# Logic, select, clip
# ---------------------------------------------------------------------------

_LOGIC = {"logical_and": arith.andi, "logical_or": arith.ori}


@lowering("logical_and", "logical_or")
def _logical(em, op, x, y):
    tx, ty = (v.type for v in op.operands)
    combine = _LOGIC[op.name]
    return em.elementwise(op.result.type, [(x, tx), (y, ty)],
                          lambda a, b: S.convert(combine(S.truth(a, tx.dtype), S.truth(b, ty.dtype)),
                                                 S.BOOL, dtypes.u8))


@lowering("logical_not")
def _logical_not(em, op, x):
    tx = op.operands[0].type
    return em.elementwise(op.result.type, [(x, tx)],
                          lambda a: S.convert(arith.xori(S.truth(a, tx.dtype), S.true()),
                                              S.BOOL, dtypes.u8))


@lowering("select")
def _select(em, op, pred, on_true, on_false):
    tp, tt, tf = (v.type for v in op.operands)
    out = op.result.type

    def body(p, a, b):
        return arith.select(S.truth(p, tp.dtype), S.convert(a, tt.dtype, out.dtype),
                            S.convert(b, tf.dtype, out.dtype))
    return em.elementwise(out, [(pred, tp), (on_true, tt), (on_false, tf)], body)


@lowering("clip")
def _clip(em, op, x, lo, hi):
    types = [v.type for v in op.operands]
    out = op.result.type
    t = out.dtype
    c = compute_dtype(t)

    def body(a, b, d):
        a, b, d = (_operand(v, s.dtype, t) for v, s in zip((a, b, d), types))
        return S.store(S.minimum(c, S.maximum(c, a, b), d), t)
    return em.elementwise(out, list(zip((x, lo, hi), types)), body)
