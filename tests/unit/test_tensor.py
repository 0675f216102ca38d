"""nx.tensor, nx.Tensor, annotations, operators, indexing and printing, checked against
values written by hand and numpy computed in float64."""
import math

import ml_dtypes
import numpy as np
import pytest

import nxc as nx
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime.errors import (ArgumentError, AxisNameError, DTypeError, NxcError,
                                ShapeError)


# ---------------------------------------------------------------------------
# Types and annotations
# ---------------------------------------------------------------------------

def test_types_are_the_dtypes():
    assert [t.name for t in (nx.u8, nx.u16, nx.u32, nx.u64, nx.s8, nx.s16, nx.s32, nx.s64,
                             nx.f16, nx.bf16, nx.f32, nx.f64, nx.c64, nx.c128)] == [
        "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
        "f16", "bf16", "f32", "f64", "c64", "c128"]


@pytest.mark.parametrize("annotation, shape, names", [
    (lambda: nx.f32[3, 4], (3, 4), (None, None)),
    (lambda: nx.f32[()], (), ()),
    (lambda: nx.f32[5], (5,), (None,)),
    (lambda: nx.f32["n", 4], (Dim("n"), 4), ("n", None)),
    (lambda: nx.f32["features": 784], (784,), ("features",)),
    (lambda: nx.f32["batch", "features": 784], (Dim("batch"), 784), ("batch", "features")),
    (lambda: nx.f32["rows": "n"], (Dim("n"),), ("rows",)),
])
def test_annotations(annotation, shape, names):
    t = annotation()
    assert t == TensorType(nx.f32, shape, names)


def test_bare_dtype_annotation_is_a_scalar():
    from nxc.annotations import to_type
    assert to_type(nx.s64) == TensorType(nx.s64, ())
    assert to_type(nx.f32[2]) == TensorType(nx.f32, (2,))
    with pytest.raises(ArgumentError, match="expected a tensor type annotation"):
        to_type(int)


@pytest.mark.parametrize("make, error, message", [
    (lambda: nx.f32[-1], ShapeError, r"f32\[-1\]: the size of axis 0 is negative"),
    (lambda: nx.f32[2.5], ArgumentError, "axis 0 must be an int or a symbolic name"),
    (lambda: nx.f32[3, None], ArgumentError, "axis 1 must be an int"),
    (lambda: nx.f32[3:4], ArgumentError, "axis 0 must be written \"name\": size"),
    (lambda: nx.f32["x":3:1], ArgumentError, "must be written"),
    (lambda: nx.f32[True], ArgumentError, "must be an int"),
    (lambda: nx.f32["a b"], ArgumentError, "must be an identifier"),
])
def test_bad_annotations(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_dtype_is_not_iterable():
    with pytest.raises(TypeError):
        iter(nx.f32)


# ---------------------------------------------------------------------------
# Creation and inference
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("data, dtype, shape", [
    (1, nx.s32, ()),
    (1.5, nx.f32, ()),
    (True, nx.u8, ()),
    (1 + 2j, nx.c64, ()),
    ([1, 2, 3], nx.s32, (3,)),
    ([1, 2, 3.0], nx.f32, (3,)),
    ([[1, 2], [3, 4]], nx.s32, (2, 2)),
    ([True, 2], nx.s32, (2,)),
    ([1, 2j], nx.c64, (2,)),
    ([[1.5], [2]], nx.f32, (2, 1)),
    ((1, 2), nx.s32, (2,)),
])
def test_inference_from_python_data(data, dtype, shape):
    t = nx.tensor(data)
    assert t.dtype == dtype and t.shape == shape


def test_python_values_are_kept():
    assert nx.tensor([[1, 2, 3.5]]).tolist() == [[1.0, 2.0, 3.5]]
    assert nx.tensor(True).item() == 1
    assert nx.tensor(1 + 2j).item() == 1 + 2j


def test_large_ints_wrap():
    assert nx.tensor(2 ** 31).item() == -2 ** 31
    assert nx.tensor([2 ** 32 + 5]).tolist() == [5]
    assert nx.tensor(2 ** 70 + 3).item() == 3
    assert nx.tensor(300, dtype=nx.s8).item() == 44
    assert nx.tensor([-1], dtype=nx.u8).tolist() == [255]
    assert nx.tensor(-1, dtype=nx.u64).item() == 2 ** 64 - 1


@pytest.mark.parametrize("array, dtype", [
    (np.array([1.0, 2.0]), nx.f64),
    (np.array([1, 2], dtype=np.int64), nx.s64),
    (np.array([True, False]), nx.u8),
    (np.array([1, 2], dtype=np.uint16), nx.u16),
    (np.array([1], dtype=ml_dtypes.bfloat16), nx.bf16),
    (np.array([1j], dtype=np.complex128), nx.c128),
    (np.float64(2.5), nx.f64),
    (np.int8(3), nx.s8),
])
def test_numpy_arrays_keep_their_type(array, dtype):
    t = nx.tensor(array)
    assert t.dtype == dtype
    assert t.shape == np.shape(array)
    np.testing.assert_array_equal(np.asarray(t), np.asarray(array).astype(dtype.numpy))


def test_numpy_scalars_in_lists_keep_their_type():
    assert nx.tensor([np.float64(1.5), 2]).dtype == nx.f64
    assert nx.tensor([np.int8(1), np.int8(2)]).dtype == nx.s8


def test_tensor_copies_numpy_data():
    a = np.array([1.0, 2.0])
    t = nx.tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    assert a.flags.writeable  # the caller's array is left as it was


def test_non_contiguous_and_byte_swapped_arrays():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::2]
    t = nx.tensor(a)
    assert np.asarray(t).flags.c_contiguous
    assert t.tolist() == [[0.0, 2.0], [4.0, 6.0], [8.0, 10.0]]
    b = np.array([1, 256], dtype=">i4")
    assert nx.tensor(b).tolist() == [1, 256] and nx.tensor(b).dtype == nx.s32


def test_explicit_dtype_converts_with_nx_semantics():
    assert nx.tensor([1.7, -2.5, 1e10, -math.inf, math.nan], dtype=nx.s32).tolist() == [
        1, -2, 2 ** 31 - 1, -2 ** 31, 0]
    assert nx.tensor(np.array([1.9, -1.9]), dtype="s8").tolist() == [1, -1]
    assert nx.tensor([1 + 2j], dtype=nx.f32).tolist() == [1.0]
    assert nx.tensor([1, 2], dtype=nx.bf16).dtype == nx.bf16
    assert nx.tensor(nx.tensor([1.5, 2.5]), dtype=nx.s16).tolist() == [1, 2]
    assert nx.tensor([], dtype=nx.f32).shape == (0,)


def test_mixed_lists_of_tensors_and_numbers():
    t = nx.tensor([nx.tensor([1, 2], dtype=nx.u8), np.array([3, 4], dtype=np.int16)])
    assert t.dtype == nx.s16 and t.tolist() == [[1, 2], [3, 4]]


def test_names():
    t = nx.tensor([[1, 2, 3], [4, 5, 6]], names=["rows", None])
    assert t.names == ("rows", None)
    assert t.type == TensorType(nx.s32, (2, 3), ("rows", None))
    assert nx.tensor(t).names == ("rows", None)
    assert nx.tensor(t, names=["a", "b"]).names == ("a", "b")
    assert nx.tensor(1).names == ()


@pytest.mark.parametrize("data, message", [
    ([[1, 2, 3], [4, 5]],
     r"ragged nested list: at nesting level 1, "
     r"data\[1\] is a list of 2 but data\[0\] is a list of 3"),
    ([[1, 2], 3], r"at nesting level 1, data\[1\] is a number but data\[0\] is a list of 2"),
    ([[[1, 2], [3, 4]], [[1, 2], [3]]],
     r"at nesting level 2, data\[1\]\[1\] is a list of 1 but data\[1\]\[0\] is a list of 2"),
])
def test_ragged_lists(data, message):
    with pytest.raises(ShapeError, match=message):
        nx.tensor(data)


@pytest.mark.parametrize("data, message", [
    ([1, "a"], r"got 'a' \(str\) at data\[1\]"),
    ([[1], [None]], r"got None \(NoneType\) at data\[1\]\[0\]"),
    ({"a": 1}, r"nx.tensor expects numbers"),
])
def test_non_numeric_entries(data, message):
    with pytest.raises(DTypeError, match=message):
        nx.tensor(data)


def test_creation_errors():
    with pytest.raises(DTypeError, match="unknown type 'f31'; expected one of u8"):
        nx.tensor([1], dtype="f31")
    with pytest.raises(DTypeError, match="has no Nx equivalent"):
        nx.tensor(np.array(["a"]))
    with pytest.raises(AxisNameError, match=r"expected 2 axis names for shape \(2, 2\), got 1"):
        nx.tensor([[1, 2], [3, 4]], names=["rows"])
    with pytest.raises(ArgumentError, match="one name per axis"):
        nx.tensor([1, 2], names="rows")
    with pytest.raises(ArgumentError, match="empty list"):
        nx.tensor([])
    with pytest.raises(ArgumentError, match="too large"):
        nx.tensor([2 ** 2000, 0.5])


def test_every_error_is_an_nxc_error():
    for make in (lambda: nx.tensor([[1], 2]), lambda: nx.tensor(["x"]),
                 lambda: nx.tensor(1, dtype="int"), lambda: nx.f32[-2]):
        with pytest.raises(NxcError):
            make()


# ---------------------------------------------------------------------------
# Properties and host data
# ---------------------------------------------------------------------------

def test_properties():
    t = nx.tensor([[1, 2, 3], [4, 5, 6]], dtype=nx.f16, names=[None, "cols"])
    assert (t.dtype, t.shape, t.rank, t.size, t.names) == (nx.f16, (2, 3), 2, 6, (None, "cols"))
    assert len(t) == 2


def test_tensors_are_immutable():
    t = nx.tensor([1, 2])
    with pytest.raises(ValueError):
        np.asarray(t)[0] = 5
    with pytest.raises(ArgumentError, match="immutable"):
        t[0] = 5
    copy = t.to_numpy()
    copy[0] = 5
    assert t.tolist() == [1, 2]


def test_array_protocol():
    t = nx.tensor([1, 2, 3], dtype=nx.s16)
    a = np.asarray(t)
    assert a.dtype == np.int16 and a.tolist() == [1, 2, 3]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.array(t, copy=True).flags.writeable
    with pytest.raises(ArgumentError, match="needs a copy"):
        np.asarray(t, dtype=np.float32, copy=False)
    b = np.asarray(nx.tensor([1.5], dtype=nx.bf16))
    assert b.dtype == ml_dtypes.bfloat16 and float(b[0]) == 1.5


@pytest.mark.parametrize("dtype", [nx.u8, nx.s64, nx.f16, nx.f32, nx.f64, nx.c64])
def test_dlpack_round_trip(dtype):
    t = nx.tensor([[1, 2], [3, 4]], dtype=dtype)
    a = np.from_dlpack(t)
    assert a.dtype == dtype.numpy and a.tolist() == [[1, 2], [3, 4]]
    assert t.__dlpack_device__() == (1, 0)  # CPU
    back = nx.tensor(a)
    assert back.dtype == dtype and back.tolist() == t.tolist()


def test_dlpack_rejects_bf16():
    with pytest.raises(DTypeError, match="bf16 tensors cannot be exported through DLPack"):
        np.from_dlpack(nx.tensor([1.0], dtype=nx.bf16))


def test_scalar_conversions():
    assert nx.tensor(3).item() == 3 and isinstance(nx.tensor(3).item(), int)
    assert float(nx.tensor([2.5])) == 2.5
    assert int(nx.tensor([[7]])) == 7
    assert complex(nx.tensor(1j)) == 1j
    assert nx.tensor([1.5], dtype=nx.bf16).tolist() == [1.5]
    with pytest.raises(ShapeError, match="one element"):
        nx.tensor([1, 2]).item()


def test_bool():
    assert bool(nx.tensor(1)) and not bool(nx.tensor([0.0]))
    with pytest.raises(ShapeError, match="tensor with 2 elements.*nx.all or nx.any"):
        bool(nx.tensor([1, 1]))


def test_len_and_iter():
    t = nx.tensor([[1, 2], [3, 4], [5, 6]], names=["rows", "cols"])
    rows = list(t)
    assert len(rows) == 3 and all(r.names == ("cols",) for r in rows)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4], [5, 6]]
    with pytest.raises(ShapeError, match="scalar"):
        len(nx.tensor(1))


def test_eq_returns_a_tensor_and_hash_is_disabled():
    t = nx.tensor([1, 2])
    eq = t == nx.tensor([1, 3])
    assert isinstance(eq, nx.Tensor) and eq.dtype == nx.u8 and eq.tolist() == [1, 0]
    assert (t == None) is False  # noqa: E711  (not a tensor: Python's identity)
    assert (t != "x") is True
    with pytest.raises(TypeError):
        hash(t)


# ---------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("make, dtype", [
    (lambda: nx.tensor([1], dtype=nx.u8) + 256, nx.u16),
    (lambda: nx.tensor([1], dtype=nx.u8) + -1, nx.s16),
    (lambda: nx.tensor([1], dtype=nx.u8) + 1, nx.u8),
    (lambda: nx.tensor([1], dtype=nx.s8) + 128, nx.s16),
    (lambda: nx.tensor([1]) + 1.5, nx.f32),
    (lambda: nx.tensor([1], dtype=nx.f16) + nx.tensor([1], dtype=nx.bf16), nx.f16),
    (lambda: nx.tensor([1], dtype=nx.u8) + nx.tensor([1], dtype=nx.s8), nx.s16),
    (lambda: nx.tensor([1], dtype=nx.s64) * nx.tensor([1.0]), nx.f32),
    (lambda: nx.tensor([1], dtype=nx.f64) + 1j, nx.c128),
    (lambda: 2 - nx.tensor([1], dtype=nx.u8), nx.u8),
    (lambda: nx.tensor([1]) / 2, nx.f32),
    (lambda: nx.tensor([1.0], dtype=nx.f64) / 2, nx.f64),
    (lambda: nx.tensor([3], dtype=nx.u8) ** 2, nx.u8),
])
def test_operator_promotion(make, dtype):
    assert make().dtype == dtype


def test_arithmetic_values():
    a = nx.tensor([[1.0, -2.0], [3.5, 4.0]])
    x = np.array([[1.0, -2.0], [3.5, 4.0]])
    np.testing.assert_array_equal(np.asarray(a + 1), x + 1)
    np.testing.assert_array_equal(np.asarray(1 - a), 1 - x)
    np.testing.assert_array_equal(np.asarray(a * a), x * x)
    np.testing.assert_allclose(np.asarray(2 / a), 2 / x, rtol=1e-7)
    np.testing.assert_array_equal(np.asarray(a ** 2), x ** 2)
    np.testing.assert_array_equal(np.asarray(2 ** nx.tensor([1, 3])), [2, 8])
    np.testing.assert_array_equal(np.asarray(-a), -x)
    np.testing.assert_array_equal(np.asarray(abs(a)), np.abs(x))
    assert (+a) is a


def test_integer_arithmetic_wraps():
    assert (nx.tensor([250], dtype=nx.u8) + 10).tolist() == [4]
    assert (-nx.tensor([-128], dtype=nx.s8)).tolist() == [-128]


def test_remainder_takes_the_sign_of_the_dividend():
    a = nx.tensor([7, -7, 7, -7])
    b = nx.tensor([3, 3, -3, -3])
    # Nx (and C's fmod), unlike Python's %: the result has the sign of the dividend.
    assert (a % b).tolist() == [1, -1, 1, -1]
    assert [x % y for x, y in zip([7, -7, 7, -7], [3, 3, -3, -3])] == [1, 2, -2, -1]
    assert (nx.tensor([-7.5]) % 2).tolist() == [-1.5]
    assert (7 % nx.tensor([-3])).tolist() == [1]


def test_floor_division_is_integer_quotient():
    a = nx.tensor([7, -7, 7, -7])
    b = nx.tensor([2, 2, -2, -2])
    assert (a // b).tolist() == [3, -3, -3, 3]  # truncates toward zero
    assert (-7 // nx.tensor([2])).tolist() == [-3]
    with pytest.raises(DTypeError, match=r"nx.floor\(a / b\)"):
        nx.tensor([1.0]) // 2
    with pytest.raises(DTypeError, match=r"got s32 and f32"):
        nx.tensor([1]) // 2.0


def test_comparisons_return_u8():
    a = nx.tensor([1.0, 2.0, 3.0])
    for result, expected in ((a < 2, [1, 0, 0]), (a <= 2, [1, 1, 0]), (a > 2, [0, 0, 1]),
                             (a >= 2, [0, 1, 1]), (a == 2, [0, 1, 0]), (a != 2, [1, 0, 1]),
                             (2 < a, [0, 0, 1]), (2.5 >= a, [1, 1, 0])):
        assert result.dtype == nx.u8 and result.tolist() == expected


def test_matmul_is_dot():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    b = np.arange(12, dtype=np.float64).reshape(3, 4)
    r = nx.tensor(a, dtype=nx.f32) @ nx.tensor(b, dtype=nx.f32)
    assert r.dtype == nx.f32
    np.testing.assert_array_equal(np.asarray(r), a @ b)
    assert (nx.tensor([1, 2, 3]) @ nx.tensor([4, 5, 6])).item() == 32


def test_numpy_arrays_on_the_left_use_nx_semantics():
    r = np.array([1, 2], dtype=np.uint8) + nx.tensor([1], dtype=nx.s8)
    assert isinstance(r, nx.Tensor) and r.dtype == nx.s16 and r.tolist() == [2, 3]
    c = np.array([1.0, 5.0]) < nx.tensor([2.0, 2.0])
    assert isinstance(c, nx.Tensor) and c.dtype == nx.u8 and c.tolist() == [1, 0]


@pytest.mark.parametrize("apply_op, want", [
    (lambda t: t & 6, [4, 2, 0]), (lambda t: t | 1, [5, 3, -7]), (lambda t: 1 ^ t, [5, 3, -7]),
    (lambda t: ~t, [-5, -3, 7]), (lambda t: t << 1, [8, 4, -16]), (lambda t: t >> 1, [2, 1, -4]),
])
def test_bitwise_operators_are_nx_bitwise_ops(apply_op, want):
    r = apply_op(nx.tensor([4, 2, -8]))
    assert r.dtype == nx.s32 and r.tolist() == want


def test_bitwise_operators_reject_floats():
    with pytest.raises(nx.DTypeError, match="bitwise_and does not accept f32"):
        nx.tensor([1.0]) & nx.tensor([1.0])


def test_operators_reject_lists():
    with pytest.raises(ArgumentError, match=r"got list; build a tensor first"):
        nx.tensor([1]) + [1]


def test_names_propagate_through_operators():
    a = nx.tensor([[1, 2, 3]], names=["batch", None])
    b = nx.tensor([1, 2, 3], names=["features"])
    assert (a + b).names == ("batch", "features")
    assert (a * 2).names == ("batch", None)
    assert (a < b).names == ("batch", "features")
    with pytest.raises(AxisNameError, match="cannot merge name"):
        nx.tensor([1], names=["x"]) + nx.tensor([1], names=["y"])


# ---------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------

_X = np.arange(24, dtype=np.int32).reshape(2, 3, 4)


@pytest.mark.parametrize("key", [
    0, -1, 1, (0, 1), (1, -1, 2), (0, 1, 3),
    slice(None), slice(1, None), slice(None, None, 2), (slice(None), slice(1, 3)),
    (Ellipsis, -1), (Ellipsis, slice(None, None, 3)), (0, Ellipsis), (0, Ellipsis, 1),
    None, (None, 0), (slice(None), None, 1), (Ellipsis, None), (None, Ellipsis, None),
    (slice(-2, None), slice(0, 10), slice(1, -1)), (slice(5, 10),), (slice(2, 1),),
    (slice(None), slice(None, None, 2), slice(3, 0, 1)), (1, slice(0, 3, 2), slice(1, 4, 2)),
    (np.int64(1), slice(np.int32(1), None)),
])
def test_indexing_matches_numpy(key):
    t = nx.tensor(_X)
    r = t[key]
    expected = _X[key]
    assert r.shape == expected.shape and r.dtype == nx.s32
    np.testing.assert_array_equal(np.asarray(r), expected)


def test_indexing_keeps_the_names_of_kept_axes():
    t = nx.tensor(_X, names=["a", "b", "c"])
    assert t[0].names == ("b", "c")
    assert t[:, 1:].names == ("a", "b", "c")
    assert t[..., 0].names == ("a", "b")
    assert t[None, 1].names == (None, "b", "c")


@pytest.mark.parametrize("key, error, message", [
    (2, ShapeError, "index 2 is out of range for axis 0 of size 2"),
    ((0, -4), ShapeError, "index -4 is out of range for axis 1 of size 3"),
    ((0, 0, 0, 0), ShapeError, "too many indices: 4 given for a tensor of rank 3"),
    ((Ellipsis, Ellipsis), ArgumentError, "single ellipsis"),
    (slice(None, None, -1), ArgumentError, "slice step must be positive"),
    (slice(None, None, 0), ArgumentError, "slice step must be positive"),
    (1.5, ArgumentError, "got 1.5"),
    (True, ArgumentError, "a bool is not an index"),
    ([0, 1], ArgumentError, "tensors are indexed with ints"),
    (slice(0.5, None), ArgumentError, "slice bounds must be ints"),
])
def test_indexing_errors(key, error, message):
    with pytest.raises(error, match=message):
        nx.tensor(_X)[key]


def test_scalar_indexing():
    t = nx.tensor(5)
    assert t[()].item() == 5
    assert t[None].shape == (1,)
    assert t[...].item() == 5


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------

def test_repr_matrix_with_names():
    t = nx.tensor([[1, 2, 3], [4, 5, 6]], dtype=nx.f32, names=["rows", None])
    assert repr(t) == (
        "nx.Tensor<\n"
        "  f32[rows: 2][3]\n"
        "  [\n"
        "    [1.0, 2.0, 3.0],\n"
        "    [4.0, 5.0, 6.0]\n"
        "  ]\n"
        ">")
    assert str(t) == repr(t)


def test_repr_scalar_and_vector():
    assert repr(nx.tensor(7)) == "nx.Tensor<\n  s32\n  7\n>"
    assert repr(nx.tensor([1, 2], dtype=nx.u8)) == "nx.Tensor<\n  u8[2]\n  [1, 2]\n>"
    assert repr(nx.tensor([], dtype=nx.s8)) == "nx.Tensor<\n  s8[0]\n  []\n>"


def test_repr_rank_3():
    t = nx.tensor(np.arange(8).reshape(2, 2, 2), dtype=nx.s64)
    assert repr(t) == (
        "nx.Tensor<\n"
        "  s64[2][2][2]\n"
        "  [\n"
        "    [\n"
        "      [0, 1],\n"
        "      [2, 3]\n"
        "    ],\n"
        "    [\n"
        "      [4, 5],\n"
        "      [6, 7]\n"
        "    ]\n"
        "  ]\n"
        ">")


def test_repr_non_finite_and_shortest_floats():
    t = nx.tensor([math.nan, math.inf, -math.inf, 0.1, -0.0, 1e20, 1e-7, 1 / 3, 123456789.0])
    assert repr(t).split("\n")[2] == (
        "  [NaN, Inf, -Inf, 0.1, -0.0, 1.0e20, 1.0e-7, 0.33333334, 123456792.0]")
    assert repr(nx.tensor(1 / 3, dtype=nx.f64)).split("\n")[2] == "  0.3333333333333333"


def test_repr_half_precision_and_complex():
    assert repr(nx.tensor([0.1, 3.0, 1e20], dtype=nx.bf16)).split("\n")[2] == "  [0.1, 3.0, 1.0e20]"
    assert repr(nx.tensor([0.1, 65504.0], dtype=nx.f16)).split("\n")[2] == "  [0.1, 65504.0]"
    assert repr(nx.tensor([1 + 2j, 0.5 - 1j, complex(math.nan, math.inf)])).split("\n")[2] == (
        "  [1.0+2.0i, 0.5-1.0i, NaN+Infi]")


def test_repr_elides_after_50_elements_as_nx():
    long = repr(nx.tensor(list(range(60)), dtype=nx.s32)).split("\n")[2]
    assert long == "  [" + ", ".join(str(i) for i in range(50)) + ", ...]"
    rows = repr(nx.tensor(np.arange(90).reshape(3, 30), dtype=nx.s32)).split("\n")
    assert rows[3] == "    [" + ", ".join(str(i) for i in range(30)) + "],"
    assert rows[4] == "    [" + ", ".join(str(i) for i in range(30, 50)) + ", ...],"
    assert rows[5] == "    ..."
