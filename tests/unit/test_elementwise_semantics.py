"""Edge cases of the element-wise ops, pinned with explicit expected values.

Each case runs through the registry entry (canonicalize, type rule, checked
reference) with numpy warnings turned into errors, so a kernel that leaks a
warning fails too. docs/semantics-elementwise.md states the rules pinned here.
"""
import math
import warnings

import ml_dtypes
import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import AxisNameError, DTypeError, ShapeError

INF, NAN = math.inf, math.nan


def type_of(name, *types):
    op = registry.get(name)
    return op.result_types(types, op.canonicalize(types, {}))[0]


def run(name, *arrays):
    arrays = [np.asarray(a) for a in arrays]
    types = [TensorType(T.from_numpy(a.dtype), a.shape) for a in arrays]
    op = registry.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return registry.execute(op, arrays, {}, [type_of(name, *types)])[0]


def arr(values, dt):
    return np.array(values, dtype=T.parse(dt).numpy)


def check(got, values, dt):
    """`got` has Nx type `dt` and exactly `values` (NaN matches NaN, -0.0 matches 0.0)."""
    dt = T.parse(dt)
    assert got.dtype == dt.numpy, f"dtype {got.dtype}, expected {dt}"
    want = np.array(values, dtype=dt.numpy)
    if dt.is_inexact:  # numpy's NaN test does not know bf16
        wide = np.complex128 if dt.is_complex else np.float64
        got, want = got.astype(wide), want.astype(wide)
    np.testing.assert_array_equal(got, want, strict=True)


# ---------------------------------------------------------------------------
# Integer wrapping
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, x, y, dt, want", [
    ("add", [127, -128], [1, -1], "s8", [-128, 127]),
    ("subtract", [0, 1], [1, 255], "u8", [255, 2]),
    ("multiply", [300, -300], [300, 300], "s16", [24464, -24464]),  # 90000 - 65536
    ("add", [2**64 - 1], [2], "u64", [1]),
    ("pow", [3, 2, -2], [5, 8, 7], "s8", [-13, 0, -128]),  # 243 - 256; 256; -128
    ("pow", [2, 3], [8, 5], "u8", [0, 243]),
])
def test_integer_arithmetic_wraps(name, x, y, dt, want):
    check(run(name, arr(x, dt), arr(y, dt)), want, dt)


@pytest.mark.parametrize("name, x, dt, want", [
    ("negate", [-128, 5], "s8", [-128, -5]),
    ("negate", [1, 0], "u8", [255, 0]),
    ("abs", [-128, -3], "s8", [-128, 3]),
    ("abs", [200], "u8", [200]),
])
def test_unary_integer_wraps(name, x, dt, want):
    check(run(name, arr(x, dt)), want, dt)


# ---------------------------------------------------------------------------
# quotient and remainder
# ---------------------------------------------------------------------------

def test_quotient_truncates_toward_zero():
    check(run("quotient", arr([7, -7, 7, -7, 6], "s32"), arr([2, 2, -2, -2, 3], "s32")),
          [3, -3, -3, 3, 2], "s32")


@pytest.mark.parametrize("dt, want", [("s8", -1), ("s64", -1), ("u8", 255),
                                      ("u64", 2**64 - 1)])
def test_quotient_by_zero_sets_every_bit(dt, want):
    check(run("quotient", arr([5, 0], dt), arr([0, 0], dt)), [want, want], dt)


@pytest.mark.parametrize("dt", ["s8", "s16", "s32", "s64"])
def test_quotient_and_remainder_of_min_by_minus_one(dt):
    lo = T.parse(dt).min_value()
    x, y = arr([lo, lo, 9], dt), arr([-1, 1, -1], dt)
    check(run("quotient", x, y), [lo, lo, -9], dt)
    check(run("remainder", x, y), [0, 0, 0], dt)


def test_remainder_has_the_sign_of_the_dividend():
    check(run("remainder", arr([7, -7, 7, -7], "s32"), arr([3, 3, -3, -3], "s32")),
          [1, -1, 1, -1], "s32")
    check(run("remainder", arr([-7.5, 7.5, 5.0, -0.0], "f64"), arr([2, -2, 0, 1], "f64")),
          [-1.5, 1.5, NAN, -0.0], "f64")


def test_remainder_by_zero_is_the_dividend():
    check(run("remainder", arr([5, -3, 0], "s8"), arr([0, 0, 0], "s8")), [5, -3, 0], "s8")
    check(run("remainder", arr([5, 200], "u8"), arr([0, 0], "u8")), [5, 200], "u8")


def test_quotient_of_mixed_signedness_computes_in_the_promoted_type():
    # u8 200 quotient s8 -3: both become s16, -66 (not a wrapped u8 or s8 value).
    check(run("quotient", arr([200], "u8"), arr([-3], "s8")), [-66], "s16")


# ---------------------------------------------------------------------------
# pow
# ---------------------------------------------------------------------------

def test_pow_negative_integer_exponent():
    base = arr([2, 1, -1, -1, 0, -3, 5], "s32")
    exp = arr([-1, -5, -3, -4, -2, -1, 0], "s32")
    check(run("pow", base, exp), [0, 1, -1, 1, 0, 0, 1], "s32")


def test_pow_of_floats_is_ieee():
    check(run("pow", arr([2.0, -8.0, 0.0, -2.0], "f64"), arr([-1.0, 1 / 3, -1.0, 3.0], "f64")),
          [0.5, NAN, INF, -8.0], "f64")


# ---------------------------------------------------------------------------
# Rounding
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dt", ["f64", "f32", "f16", "bf16"])
def test_round_half_away_from_zero(dt):
    x = [0.5, 1.5, 2.5, -2.5, -0.5, 0.25, INF, -INF, NAN]
    check(run("round", arr(x, dt)), [1, 2, 3, -3, -1, 0, INF, -INF, NAN], dt)


def test_round_is_not_fooled_by_the_float_below_one_half():
    below = 0.49999999999999994  # 0.5 - 2**-54; adding 0.5 to it rounds to 1.0
    big = 2.0**52 + 1  # odd integers this large have no fraction to round
    check(run("round", arr([below, -below, big, -big], "f64")), [0, 0, big, -big], "f64")
    check(run("round", arr([np.nextafter(np.float32(0.5), 0)], "f32")), [0], "f32")


def test_floor_and_ceil():
    x = arr([-1.5, -0.5, 0.5, 1.0, INF, NAN], "f32")
    check(run("floor", x), [-2, -1, 0, 1, INF, NAN], "f32")
    check(run("ceil", x), [-1, 0, 1, 1, INF, NAN], "f32")


@pytest.mark.parametrize("name", ["floor", "ceil", "round"])
def test_rounding_leaves_integers_unchanged(name):
    check(run(name, arr([-128, 0, 127], "s8")), [-128, 0, 127], "s8")
    check(run(name, arr([2**64 - 1], "u64")), [2**64 - 1], "u64")


# ---------------------------------------------------------------------------
# NaN
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, want", [("max", [NAN, NAN, 2.0]), ("min", [NAN, NAN, 1.0])])
def test_max_min_propagate_nan(name, want):
    check(run(name, arr([NAN, 1.0, 1.0], "f32"), arr([1.0, NAN, 2.0], "f32")), want, "f32")


@pytest.mark.parametrize("name, want", [
    ("equal", [0, 0, 1]), ("not_equal", [1, 1, 0]), ("less", [0, 0, 0]),
    ("less_equal", [0, 0, 1]), ("greater", [0, 0, 0]), ("greater_equal", [0, 0, 1]),
])
def test_comparisons_with_nan(name, want):
    check(run(name, arr([NAN, NAN, 1.0], "f64"), arr([NAN, 1.0, 1.0], "f64")), want, "u8")


def test_clip_propagates_nan():
    check(run("clip", arr([NAN, 0.5, 0.5], "f32"), arr([0.0, NAN, 0.0], "f32"),
              arr([1.0, 1.0, NAN], "f32")), [NAN, NAN, NAN], "f32")


# ---------------------------------------------------------------------------
# Float math
# ---------------------------------------------------------------------------

def test_float_division_by_zero_is_ieee():
    check(run("divide", arr([1.0, -1.0, 0.0], "f32"), arr([0.0, 0.0, 0.0], "f32")),
          [INF, -INF, NAN], "f32")
    # integers divide as f32
    check(run("divide", arr([1, 7], "s32"), arr([0, 2], "s32")), [INF, 3.5], "f32")


def test_half_precision_math_rounds_once_to_the_result_type():
    # 300 * 300 = 90000 is beyond f16's 65504; exp(11) = 59874.14 is not.
    check(run("multiply", arr([300.0], "f16"), arr([300.0], "f16")), [INF], "f16")
    check(run("exp", arr([11.0, 12.0], "f16")), [59872.0, INF], "f16")


def test_unary_math_values():
    x = arr([0.0, 1.0, 4.0], "f64")
    check(run("sqrt", x), [0.0, 1.0, 2.0], "f64")
    check(run("rsqrt", x), [INF, 1.0, 0.5], "f64")
    check(run("log", arr([0.0, -1.0, 1.0], "f64")), [-INF, NAN, 0.0], "f64")
    check(run("log1p", arr([-1.0, -2.0, 0.0], "f64")), [-INF, NAN, 0.0], "f64")
    check(run("sigmoid", arr([0.0, -800.0, 800.0], "f64")), [0.5, 0.0, 1.0], "f64")
    check(run("expm1", arr([0.0, -INF], "f64")), [0.0, -1.0], "f64")


def test_erf():
    got = run("erf", arr([0.5, -1.0, 0.0, INF, -INF, NAN], "f64"))
    # erf(0.5) and erf(1) from Abramowitz and Stegun, table 7.1
    np.testing.assert_allclose(got[:2], [0.5204998778130465, -0.8427007929497149], rtol=1e-15)
    check(got[2:], [0.0, 1.0, -1.0, NAN], "f64")
    check(run("erf", arr([0], "s32")), [0.0], "f32")


def test_atan2_quadrants():
    got = run("atan2", arr([1, 1, -1, -1, 0], "s8"), arr([1, -1, -1, 1, -1], "s8"))
    assert got.dtype == np.float32
    np.testing.assert_allclose(
        got, [math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4, -math.pi / 4, math.pi],
        rtol=1e-6)


# ---------------------------------------------------------------------------
# sign and abs of every kind
# ---------------------------------------------------------------------------

def test_sign():
    check(run("sign", arr([-5, 0, 7], "s8")), [-1, 0, 1], "s8")
    check(run("sign", arr([0, 7], "u16")), [0, 1], "u16")
    check(run("sign", arr([-2.5, 0.0, 3.0, NAN], "bf16")), [-1, 0, 1, NAN], "bf16")
    got = run("sign", arr([3 + 4j, 0j, -2j], "c64"))
    check(got, [0.6 + 0.8j, 0j, -1j], "c64")


def test_abs_of_complex_is_real():
    check(run("abs", arr([3 + 4j, -5j], "c128")), [5.0, 5.0], "f64")
    check(run("abs", arr([3 - 4j], "c64")), [5.0], "f32")


# ---------------------------------------------------------------------------
# Comparisons, logic, select, clip
# ---------------------------------------------------------------------------

def test_comparisons_promote_before_comparing():
    # u8 200 and s8 -56 have the same bits; compared in s16 they differ.
    u, s = arr([200, 255, 0], "u8"), arr([-56, -1, 0], "s8")
    check(run("equal", u, s), [0, 0, 1], "u8")
    check(run("less", s, u), [1, 1, 0], "u8")
    check(run("greater", u, s), [1, 1, 0], "u8")


def test_equality_of_complex():
    check(run("equal", arr([1 + 1j, 1 + 1j], "c64"), arr([1 + 1j, 1 - 1j], "c64")), [1, 0], "u8")
    check(run("not_equal", arr([1 + 1j, 1 + 1j], "c64"), arr([1 + 1j, 1 - 1j], "c64")),
          [0, 1], "u8")


def test_logical_truthiness_is_nonzero():
    x = arr([0.0, -0.0, NAN, 0.5, 0.0], "f32")
    y = arr([1j, 1j, 1j, 0j, 0j], "c64")
    check(run("logical_and", x, y), [0, 0, 1, 0, 0], "u8")
    check(run("logical_or", x, y), [1, 1, 1, 1, 0], "u8")
    check(run("logical_not", x), [1, 1, 0, 0, 1], "u8")


def test_logical_ops_do_not_round_operands_to_a_common_type():
    # promote(bf16, f16) is f16, where 1e-30 would round to 0.
    tiny = np.array([1e-30], dtype=ml_dtypes.bfloat16)
    check(run("logical_and", tiny, arr([1.0], "f16")), [1], "u8")


def test_select_broadcasts_and_promotes():
    pred = arr([[0.5], [0.0]], "f32")  # nonzero is true
    got = run("select", pred, arr([1, 2, 3], "u8"), arr(-1, "s8"))
    check(got, [[1, 2, 3], [-1, -1, -1]], "s16")


def test_clip():
    x = arr([-3, 0, 3, 9], "s32")
    check(run("clip", x, arr(-1, "s32"), arr(4, "s32")), [-1, 0, 3, 4], "s32")
    # max wins when min > max: min(max(x, 5), 1) is 1
    check(run("clip", x, arr(5, "s32"), arr(1, "s32")), [1, 1, 1, 1], "s32")
    # per-element bounds, and the promotion of all three types
    check(run("clip", arr([[1, 9], [1, 9]], "u8"), arr([2, 0], "s8"), arr([[5], [8]], "f32")),
          [[2, 5], [2, 8]], "f32")


# ---------------------------------------------------------------------------
# Result types
# ---------------------------------------------------------------------------

def tt(dt, shape=(2,), names=None):
    return TensorType(T.parse(dt), shape, names)


@pytest.mark.parametrize("name, operands, want", [
    ("add", ["u8", "s8"], "s16"),
    ("add", ["u32", "s8"], "s64"),
    ("add", ["u64", "s8"], "s64"),
    ("add", ["s64", "f32"], "f32"),
    ("add", ["f16", "bf16"], "f16"),
    ("multiply", ["f64", "c64"], "c128"),
    ("subtract", ["bf16", "u64"], "bf16"),
    ("divide", ["s32", "s32"], "f32"),
    ("divide", ["u8", "f64"], "f64"),
    ("atan2", ["u8", "s64"], "f32"),
    ("quotient", ["u8", "s8"], "s16"),
    ("pow", ["s8", "u8"], "s16"),
    ("max", ["u16", "s8"], "s32"),
    ("remainder", ["f16", "s32"], "f16"),
    ("equal", ["c64", "f64"], "u8"),
    ("less", ["f32", "s8"], "u8"),
    ("logical_or", ["c128", "u64"], "u8"),
    ("exp", ["s64"], "f32"),
    ("sqrt", ["bf16"], "bf16"),
    ("tanh", ["c64"], "c64"),
    ("erf", ["u8"], "f32"),
    ("abs", ["c128"], "f64"),
    ("abs", ["s8"], "s8"),
    ("sign", ["c64"], "c64"),
    ("negate", ["u32"], "u32"),
    ("round", ["s16"], "s16"),
    ("logical_not", ["f32"], "u8"),
    ("select", ["f32", "u8", "s8"], "s16"),
    ("select", ["u8", "f32", "c64"], "c64"),
    ("clip", ["u8", "s8", "f32"], "f32"),
])
def test_result_dtype(name, operands, want):
    assert type_of(name, *[tt(d) for d in operands]).dtype == T.parse(want)


def test_broadcasting_and_names():
    t = type_of("add", tt("f32", (2, 1), ("rows", None)), tt("f32", (3,), ("cols",)))
    assert str(t) == "f32[rows: 2][cols: 3]"
    t = type_of("select", tt("u8", (2, 1), ("rows", None)), tt("s8", (3,), ("cols",)),
                tt("f32", ()))
    assert str(t) == "f32[rows: 2][cols: 3]"
    assert str(type_of("less", tt("f32", (0, 3)), tt("f32", (3,)))) == "u8[0][3]"
    check(run("add", arr([[1], [2]], "s32"), arr([10, 20, 30], "s32")),
          [[11, 21, 31], [12, 22, 32]], "s32")
    assert run("multiply", arr(np.zeros((0, 3)), "f32"), arr(2.0, "f32")).shape == (0, 3)


@pytest.mark.parametrize("name, types, message", [
    ("add", [tt("f32", (3,)), tt("f32", (4,))],
     "cannot add f32[3] and f32[4]: dimension 0 differs (3 vs 4)"),
    ("less", [tt("s8", (2, 3)), tt("s8", (2,))],
     "cannot less s8[2][3] and s8[2]: dimension 1 differs (3 vs 2)"),
    ("select", [tt("u8", (2,)), tt("f32", (3,)), tt("f32", ())],
     "cannot select u8[2] and f32[3] and f32: dimension 0 differs (2 vs 3)"),
    ("clip", [tt("f32", (3,)), tt("f32", (2, 3)), tt("f32", ())],
     "clip: min f32[2][3] and max f32 must broadcast to the shape of the clipped tensor "
     "f32[3], but together they give f32[2][3]"),
])
def test_shape_errors(name, types, message):
    with pytest.raises(ShapeError) as e:
        type_of(name, *types)
    assert str(e.value) == message


def test_conflicting_names_are_an_error():
    with pytest.raises(AxisNameError, match="cannot merge name 'a' on axis 0 with name 'b'"):
        type_of("add", tt("f32", (2,), ("a",)), tt("f32", (2,), ("b",)))


# ---------------------------------------------------------------------------
# Rejected types
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, operands", [
    ("max", ["c64", "c64"]), ("min", ["f32", "c128"]), ("less", ["c64", "c64"]),
    ("greater_equal", ["c128", "f64"]), ("remainder", ["c64", "c64"]),
    ("atan2", ["c64", "f32"]), ("erf", ["c64"]), ("floor", ["c128"]), ("ceil", ["c64"]),
    ("round", ["c64"]), ("clip", ["c64", "f32", "f32"]),
    ("quotient", ["f32", "s32"]), ("quotient", ["s32", "bf16"]),
])
def test_rejected_dtypes_raise(name, operands):
    bad = next(d for d in operands if T.parse(d) not in registry.get(name).accepts)
    with pytest.raises(DTypeError, match=rf"^{name} does not accept {bad} "):
        type_of(name, *[tt(d) for d in operands])


def test_select_numbers_take_the_type_of_the_branches():
    """select's predicate does not type the numbers beside it (typed_operands=(1, 2))."""
    op = registry.get("select")

    def number_types(*operands):
        return op.scalar_dtypes(operands, lambda x: isinstance(x, TensorType),
                                lambda t: t.dtype)
    assert number_types(tt("f64"), tt("u8"), 1) == [None, None, T.u8]
    assert number_types(tt("f64"), 1, 2) == [None, T.s32, T.s32]
    assert number_types(tt("u8"), 1, 2.5) == [None, T.f32, T.f32]
