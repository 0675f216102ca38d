"""Nx's documentation examples of element-wise functions, bitwise ops, complex
parts and type conversions (nx.ex), eagerly and compiled (nxex.check).

The unary math examples are the ones nx.ex generates for every function of
Nx.Shared.unary_math_funs: f(first input) as a scalar and f(a tensor of three
inputs named :x); their values are printed there as f32.
"""
import math

import numpy as np
import pytest

import nxc as nx
from nxex import check, example

INF, NAN = math.inf, math.nan

# name, inputs, outputs (as nx.ex prints them)
UNARY_MATH = [
    ("exp", [1, 2, 3], [2.7182817459106445, 7.389056205749512, 20.08553695678711]),
    ("expm1", [1, 2, 3], [1.718281865119934, 6.389056205749512, 19.08553695678711]),
    ("log", [1, 2, 3], [0.0, 0.6931471824645996, 1.0986123085021973]),
    ("log1p", [1, 2, 3], [0.6931471824645996, 1.0986123085021973, 1.3862943649291992]),
    ("sigmoid", [1, 2, 3], [0.7310585975646973, 0.8807970881462097, 0.9525741338729858]),
    ("cos", [1, 2, 3], [0.5403022766113281, -0.416146844625473, -0.9899924993515015]),
    ("sin", [1, 2, 3], [0.8414709568023682, 0.9092974066734314, 0.14112000167369843]),
    ("tan", [1, 2, 3], [1.5574077367782593, -2.185039758682251, -0.14254654943943024]),
    ("cosh", [1, 2, 3], [1.5430806875228882, 3.762195587158203, 10.067662239074707]),
    ("sinh", [1, 2, 3], [1.175201177597046, 3.6268603801727295, 10.017874717712402]),
    ("tanh", [1, 2, 3], [0.7615941762924194, 0.9640275835990906, 0.9950547814369202]),
    ("acos", [0.10000000149011612, 0.5, 0.8999999761581421],
     [1.4706288576126099, 1.0471975803375244, 0.4510268568992615]),
    ("asin", [0.10000000149011612, 0.5, 0.8999999761581421],
     [0.1001674234867096, 0.5235987901687622, 1.1197694540023804]),
    ("atan", [0.10000000149011612, 0.5, 0.8999999761581421],
     [0.09966865181922913, 0.46364760398864746, 0.7328150868415833]),
    ("acosh", [1, 2, 3], [0.0, 1.316957950592041, 1.7627471685409546]),
    ("asinh", [1, 2, 3], [0.8813735842704773, 1.4436354637145996, 1.8184465169906616]),
    ("atanh", [0.10000000149011612, 0.5, 0.8999999761581421],
     [0.10033535212278366, 0.5493061542510986, 1.4722193479537964]),
    ("sqrt", [1, 2, 3], [1.0, 1.4142135381698608, 1.7320507764816284]),
    ("rsqrt", [1, 2, 3], [1.0, 0.7071067690849304, 0.5773502588272095]),
    ("cbrt", [1, 2, 3], [1.0, 1.2599210739135742, 1.4422495365142822]),
    ("erf", [1, 2, 3], [0.8427007794380188, 0.9953222870826721, 0.9999778866767883]),
    ("erfc", [1, 2, 3], [0.15729920566082, 0.004677734803408384, 2.2090496713644825e-05]),
    ("erf_inv", [0.10000000149011612, 0.5, 0.8999999761581421],
     [0.08885598927736282, 0.4769362807273865, 1.1630871295928955]),
]


def _calling(name):
    """A defn-readable function that calls nx.<name> on its argument."""
    fn = getattr(nx, name)

    def call(x):
        return fn(x)
    return call


def _unary_math_examples():
    for name, inputs, outputs in UNARY_MATH:
        fn = _calling(name)
        first = inputs[0] if isinstance(inputs[0], int) else nx.tensor(inputs[0])
        yield example(f"{name}-scalar", fn, [first], outputs[0], "f32")
        yield example(f"{name}-tensor", fn, [nx.tensor(inputs, names=["x"])], outputs, "f32",
                      ["x"])


def t(data, type=None, names=None):
    return nx.tensor(data, dtype=type, names=names)


EXAMPLES = [
    *_unary_math_examples(),
    # bitwise_and / bitwise_or / bitwise_xor
    example("bitwise_and-scalars", lambda a, b: nx.bitwise_and(a, b), [1, 0], 0, "s32"),
    example("bitwise_and-scalar", lambda a: nx.bitwise_and(a, 1),
            [t([0, 1, 2], names=["data"])], [0, 1, 0], "s32", ["data"]),
    example("bitwise_and-negative", lambda a: nx.bitwise_and(a, -1),
            [t([0, -1, -2], names=["data"])], [0, -1, -2], "s32", ["data"]),
    example("bitwise_and-tensors", lambda a, b: nx.bitwise_and(a, b),
            [t([0, 0, 1, 1], names=["data"]), t([0, 1, 0, 1])], [0, 0, 0, 1], "s32", ["data"]),
    example("bitwise_or-scalars", lambda a, b: nx.bitwise_or(a, b), [1, 0], 1, "s32"),
    example("bitwise_or-scalar", lambda a: nx.bitwise_or(a, 1),
            [t([0, 1, 2], names=["data"])], [1, 1, 3], "s32", ["data"]),
    example("bitwise_or-negative", lambda a: nx.bitwise_or(a, -1),
            [t([0, -1, -2], names=["data"])], [-1, -1, -1], "s32", ["data"]),
    example("bitwise_or-tensors", lambda a, b: nx.bitwise_or(a, b),
            [t([0, 0, 1, 1], names=["data"]), t([0, 1, 0, 1], names=["data"])], [0, 1, 1, 1],
            "s32", ["data"]),
    example("bitwise_xor-scalars", lambda a, b: nx.bitwise_xor(a, b), [1, 0], 1, "s32"),
    example("bitwise_xor-scalar", lambda a: nx.bitwise_xor(a, 2),
            [t([1, 2, 3], names=["data"])], [3, 0, 1], "s32", ["data"]),
    example("bitwise_xor-negative", lambda a: nx.bitwise_xor(a, 2),
            [t([-1, -2, -3], names=["data"])], [-3, -4, -1], "s32", ["data"]),
    example("bitwise_xor-tensors", lambda a, b: nx.bitwise_xor(a, b),
            [t([0, 0, 1, 1]), t([0, 1, 0, 1], names=["data"])], [0, 1, 1, 0], "s32", ["data"]),
    # left_shift / right_shift
    example("left_shift-scalars", lambda a, b: nx.left_shift(a, b), [1, 0], 1, "s32"),
    example("left_shift-scalar", lambda a: nx.left_shift(a, 2),
            [t([1, 2, 3], names=["data"])], [4, 8, 12], "s32", ["data"]),
    example("left_shift-tensors", lambda a, b: nx.left_shift(a, b),
            [t([1, 1, -1, -1], names=["data"]), t([1, 2, 3, 4], names=["data"])],
            [2, 4, -8, -16], "s32", ["data"]),
    example("right_shift-scalars", lambda a, b: nx.right_shift(a, b), [1, 0], 1, "s32"),
    example("right_shift-scalar", lambda a: nx.right_shift(a, 2),
            [t([2, 4, 8], names=["data"])], [0, 1, 2], "s32", ["data"]),
    example("right_shift-tensors", lambda a, b: nx.right_shift(a, b),
            [t([16, 32, -64, -128], names=["data"]), t([1, 2, 3, 4])], [8, 8, -8, -8], "s32",
            ["data"]),
    # bitwise_not / population_count / count_leading_zeros
    example("bitwise_not-scalar", lambda a: nx.bitwise_not(a), [1], -2, "s32"),
    example("bitwise_not-s8", lambda a: nx.bitwise_not(a), [t([-1, 0, 1], "s8", ["x"])],
            [0, -1, -2], "s8", ["x"]),
    example("bitwise_not-u8", lambda a: nx.bitwise_not(a), [t([0, 1, 254, 255], "u8", ["x"])],
            [255, 254, 1, 0], "u8", ["x"]),
    example("population_count-1", lambda a: nx.population_count(a), [1], 1, "s32"),
    example("population_count-minus128", lambda a: nx.population_count(a), [-128], 25, "s32"),
    example("population_count-tensor", lambda a: nx.population_count(a),
            [t([0, 1, 254, 255], names=["x"])], [0, 1, 7, 8], "s32", ["x"]),
    example("population_count-s8", lambda a: nx.population_count(a),
            [t([0, 1, 126, 127, -1, -127, -128], "s8", ["x"])], [0, 1, 6, 7, 8, 2, 1], "s8",
            ["x"]),
    example("count_leading_zeros-1", lambda a: nx.count_leading_zeros(a), [1], 31, "s32"),
    example("count_leading_zeros-minus1", lambda a: nx.count_leading_zeros(a), [-1], 0, "s32"),
    example("count_leading_zeros-tensor", lambda a: nx.count_leading_zeros(a),
            [t([0, 0xF, 0xFF, 0xFFFF], names=["x"])], [32, 28, 24, 16], "s32", ["x"]),
    example("count_leading_zeros-high", lambda a: nx.count_leading_zeros(a),
            [t([0xF0000000, 0x0F000000], names=["x"])], [0, 4], "s32", ["x"]),
    example("count_leading_zeros-s64", lambda a: nx.count_leading_zeros(a),
            [t([0, 0xF, 0xFF, 0xFFFF], "s64", ["x"])], [64, 60, 56, 48], "s64", ["x"]),
    example("count_leading_zeros-s16", lambda a: nx.count_leading_zeros(a),
            [t([0, 0xF, 0xFF, 0xFFFF], "s16", ["x"])], [16, 12, 8, 0], "s16", ["x"]),
    example("count_leading_zeros-s8", lambda a: nx.count_leading_zeros(a),
            [t([0, 1, 2, 4, 8, 16, 32, 64, -1, -128], "s8", ["x"])],
            [8, 7, 6, 5, 4, 3, 2, 1, 0, 0], "s8", ["x"]),
    example("count_leading_zeros-u8", lambda a: nx.count_leading_zeros(a),
            [t([0, 1, 2, 4, 8, 16, 32, 64, 128], "u8", ["x"])], [8, 7, 6, 5, 4, 3, 2, 1, 0],
            "u8", ["x"]),
    # logical_xor
    example("logical_xor-scalar", lambda a: nx.logical_xor(0, a),
            [t([-1, 0, 1], names=["data"])], [1, 0, 1], "u8", ["data"]),
    example("logical_xor-broadcast", lambda a, b: nx.logical_xor(a, b),
            [t([-1, 0, 1], names=["data"]), t([[-1], [0], [1]])],
            [[0, 1, 0], [1, 0, 1], [0, 1, 0]], "u8", [None, "data"]),
    example("logical_xor-float", lambda a, b: nx.logical_xor(a, b),
            [t([-1.0, 0.0, 1.0], names=["data"]), t([[-1], [0], [1]])],
            [[0, 1, 0], [1, 0, 1], [0, 1, 0]], "u8", [None, "data"]),
    # is_nan / is_infinity
    example("is_nan-floats", lambda a: nx.is_nan(a), [t([NAN, 1, 0])], [1, 0, 0], "u8"),
    example("is_nan-complex", lambda a: nx.is_nan(a), [t([NAN, INF, complex(0, NAN)])],
            [1, 0, 1], "u8"),
    example("is_nan-ints", lambda a: nx.is_nan(a), [t([1, 0])], [0, 0], "u8"),
    example("is_infinity-floats", lambda a: nx.is_infinity(a), [t([INF, NAN, -INF, 1, 0])],
            [1, 0, 1, 0, 0], "u8"),
    example("is_infinity-complex", lambda a: nx.is_infinity(a),
            [t([INF, 1, complex(0, INF), -INF])], [1, 0, 1, 1], "u8"),
    example("is_infinity-ints", lambda a: nx.is_infinity(a), [t([1, 0])], [0, 0], "u8"),
    # conjugate / phase / real / imag / complex
    example("conjugate-complex", lambda a: nx.conjugate(a), [t(1 + 2j)], 1 - 2j, "c64"),
    example("conjugate-real", lambda a: nx.conjugate(a), [1], complex(1, -0.0), "c64"),
    example("conjugate-tensor", lambda a: nx.conjugate(a), [t([1 + 2j, 2 - 4j])],
            [1 - 2j, 2 + 4j], "c64"),
    example("phase-complex", lambda a: nx.phase(a), [t(1 + 2j)], 1.1071487665176392, "f32"),
    example("phase-real", lambda a: nx.phase(a), [1], 0.0, "f32"),
    example("phase-vector", lambda a: nx.phase(a), [t([1 + 2j, -2 + 1j])],
            [1.1071487665176392, 2.677945137023926], "f32"),
    example("real-complex", lambda a: nx.real(a), [t(1 + 2j)], 1.0, "f32"),
    example("real-int", lambda a: nx.real(a), [t(1)], 1.0, "f32"),
    example("real-bf16", lambda a: nx.real(a), [t(1, "bf16")], 1.0, "bf16"),
    example("real-tensor", lambda a: nx.real(a), [t([1 + 2j, 2 - 4j])], [1.0, 2.0], "f32"),
    example("imag-complex", lambda a: nx.imag(a), [t(1 + 2j)], 2.0, "f32"),
    example("imag-int", lambda a: nx.imag(a), [t(1)], 0.0, "f32"),
    example("imag-bf16", lambda a: nx.imag(a), [t(1, "bf16")], 0.0, "bf16"),
    example("imag-tensor", lambda a: nx.imag(a), [t([1 + 2j, 2 - 4j])], [2.0, -4.0], "f32"),
    example("complex-scalars", lambda a, b: nx.complex(a, b), [t(1), t(2)], 1 + 2j, "c64"),
    example("complex-tensors", lambda a, b: nx.complex(a, b), [t([1, 2]), t([3, 4])],
            [1 + 3j, 2 + 4j], "c64"),
    # as_type
    example("as_type-f32", lambda a: nx.as_type(a, nx.f32), [t([0, 1, 2], names=["data"])],
            [0.0, 1.0, 2.0], "f32", ["data"]),
    example("as_type-bf16", lambda a: nx.as_type(a, nx.bf16),
            [t([0.0, 1.0, 2.0], names=["data"])], [0.0, 1.0, 2.0], "bf16", ["data"]),
    example("as_type-s64", lambda a: nx.as_type(a, nx.s64),
            [t([0.0, 1.0, 2.0], names=["data"])], [0, 1, 2], "s64", ["data"]),
    example("as_type-c64", lambda a: nx.as_type(a, nx.c64), [t([1, -2])], [1 + 0j, -2 + 0j],
            "c64"),
    example("as_type-complex-f64", lambda a: nx.as_type(a, nx.f64),
            [t([1 + 2j, 3j, 4 + 5j])], [1.0, 0.0, 4.0], "f64"),
    example("as_type-complex-s64", lambda a: nx.as_type(a, nx.s64),
            [t([-1 + 2j, -2 + 3j, 3 - 4j])], [-1, -2, 3], "s64"),
    example("as_type-non-finite-u8", lambda a: nx.as_type(a, nx.u8), [t([INF, NAN, -INF])],
            [255, 0, 0], "u8"),
    example("as_type-non-finite-s32", lambda a: nx.as_type(a, nx.s32), [t([INF, NAN, -INF])],
            [2147483647, 0, -2147483648], "s32"),
    example("as_type-non-finite-f64", lambda a: nx.as_type(a, nx.f64), [t([INF, NAN])],
            [INF, NAN], "f64"),
    example("as_type-non-finite-f16", lambda a: nx.as_type(a, nx.f16), [t([INF, NAN])],
            [INF, NAN], "f16"),
    # bitcast
    example("bitcast-s32-f32", lambda a: nx.bitcast(a, nx.f32),
            [t([0, 0, 0], "s32", ["data"])], [0.0, 0.0, 0.0], "f32", ["data"]),
    example("bitcast-f32-s32", lambda a: nx.bitcast(a, nx.s32),
            [t([0.0, 0.0, 0.0], "f32", ["data"])], [0, 0, 0], "s32", ["data"]),
    example("bitcast-s8-u8", lambda a: nx.bitcast(a, nx.u8), [t([[0, -1], [1, -2], [2, -3]], "s8")],
            [[0, 255], [1, 254], [2, 253]], "u8"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)


def test_bitcast_errors_as_nx():
    with pytest.raises(nx.DTypeError, match="same bit width"):
        nx.bitcast(t([0, 1, 2], "s16", ["data"]), nx.f32)
    with pytest.raises(nx.DTypeError, match="c64"):
        nx.bitcast(t([0], "c64"), nx.s64)
    with pytest.raises(nx.DTypeError, match="complex"):
        nx.bitcast(t([0], "s64"), nx.c64)


def test_bitwise_ops_reject_floats_as_nx():
    for fn in (nx.bitwise_not, nx.population_count, nx.count_leading_zeros):
        with pytest.raises(nx.DTypeError, match="f32"):
            fn(t([0.0, 1.0]))
    for fn in (nx.bitwise_and, nx.bitwise_or, nx.bitwise_xor, nx.left_shift, nx.right_shift):
        with pytest.raises(nx.DTypeError, match="f32"):
            fn(t([0, 0, 1, 1]), 1.0)


def test_complex_rejects_complex_parts():
    with pytest.raises(nx.DTypeError, match="c64"):
        nx.complex(t(1 + 1j), t(1.0))


# ---------------------------------------------------------------------------
# nxc's own rules where Nx's examples stop (docs/semantics-math-bitwise.md)
# ---------------------------------------------------------------------------

def _both(fn, *args):
    """fn's result eagerly and compiled, as numpy arrays of the same dtype."""
    eager, compiled = fn(*args), nx.defn(fn)(*args)
    assert eager.dtype == compiled.dtype
    return np.asarray(eager), np.asarray(compiled)


@pytest.mark.parametrize("type, bits", [("s8", 8), ("u16", 16), ("s32", 32), ("u64", 64)])
def test_shift_counts_out_of_range_shift_every_bit_out(type, bits):
    x = t([5, 5, 5, 5], type)
    counts = t([bits, bits + 1, 1, 0], type) if type[0] == "u" else t([bits, -1, 1, 0], type)
    for got in _both(lambda a, b: nx.left_shift(a, b), x, counts):
        assert got.tolist() == [0, 0, 10, 5]
    for got in _both(lambda a, b: nx.right_shift(a, b), x, counts):
        assert got.tolist() == [0, 0, 2, 5]


def test_right_shift_is_arithmetic_for_signed_and_logical_for_unsigned():
    for got in _both(lambda a: nx.right_shift(a, 1), t([-8, -1], "s8")):
        assert got.tolist() == [-4, -1]
    for got in _both(lambda a: nx.right_shift(a, 1), t([248, 255], "u8")):
        assert got.tolist() == [124, 127]
    for got in _both(lambda a: nx.right_shift(a, 9), t([-8, 8], "s8")):
        assert got.tolist() == [-1, 0]  # every bit shifted out: the sign fills


def test_log_bases():
    for got in _both(lambda a: nx.log2(a), t([1.0, 8.0, 0.5])):
        assert got.tolist() == [0.0, 3.0, -1.0]
    for got in _both(lambda a: nx.log10(a), t([1.0, 1000.0, 0.01], "f64")):
        np.testing.assert_allclose(got, [0.0, 3.0, -2.0], rtol=1e-15)
    for got in _both(lambda a: nx.log(a, 3), t([9.0, 27.0], "f64")):
        np.testing.assert_allclose(got, [2.0, 3.0], rtol=1e-15)
    assert nx.log2(t([4], "s32")).dtype == nx.f32
    z = nx.log2(t([-8.0 + 0j])).tolist()[0]
    assert z.real == pytest.approx(3.0) and z.imag == pytest.approx(math.pi / math.log(2))


def test_erf_inv_edges():
    for got in _both(lambda a: nx.erf_inv(a), t([-1.0, 1.0, 1.5, 0.0, -0.0], "f64")):
        assert got[:2].tolist() == [-INF, INF] and np.isnan(got[2])
        assert got[3] == 0 and np.signbit(got[4])
    for got in _both(lambda a: nx.erf(nx.erf_inv(a)), t([-0.999, 0.3, 0.9999], "f64")):
        np.testing.assert_allclose(got, [-0.999, 0.3, 0.9999], rtol=1e-14)


def test_aliases():
    a, b = t([1.0, 5.0, NAN]), t([3.0, 2.0, 1.0])
    assert np.array_equal(np.asarray(nx.maximum(a, b)), np.asarray(nx.max(a, b)), equal_nan=True)
    assert np.array_equal(np.asarray(nx.minimum(a, b)), np.asarray(nx.min(a, b)), equal_nan=True)
    assert nx.where(t([1, 0, 2]), 1, t([7, 8, 9])).tolist() == [1, 8, 1]
    m = nx.iota((2, 2, 3))
    k = nx.iota((2, 3, 2))
    got = np.asarray(nx.matmul(m, k))
    assert got.shape == (2, 2, 2)
    np.testing.assert_array_equal(got, np.matmul(np.asarray(m), np.asarray(k)))
    assert nx.matmul(t([1, 2]), t([3, 4])).tolist() == 11


@pytest.mark.parametrize("src", ["f16", "bf16", "f32", "f64", "c64", "c128"])
def test_non_finite_to_every_integer_type(src):
    """Nx's rule for every (inexact, integer) pair: +inf -> max, NaN -> 0, -inf -> min
    (a complex number converts its real part), eagerly and compiled."""
    x = t([INF, NAN, -INF, 2.5, -0.0], src)
    for dst in ("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"):
        ty = getattr(nx, dst)
        want = [ty.max_value(), 0, ty.min_value(), 2, 0]
        for got in _both(_converting(ty), x):
            assert got.tolist() == want, (src, dst)


def _converting(type):
    def convert(x):
        return nx.as_type(x, type)
    return convert
