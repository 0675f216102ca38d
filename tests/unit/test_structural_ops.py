"""Reductions, dot, shape ops and control flow, pinned with explicit expected values.

Ops run through their registry entry (canonicalize, type rule, checked reference)
with numpy warnings turned into errors. Control flow is built with the Builder
and run by the interpreter. docs/semantics-structural.md states the rules.
"""
import math
import warnings

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Block, Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime.errors import ArgumentError, AxisNameError, DTypeError, ShapeError

INF, NAN = math.inf, math.nan


def types_of(op_name, *types, regions=None, **attrs):
    """The result type(s) of an op; `regions` gives (arg types, result types) per region."""
    op = registry.get(op_name)
    out = op.result_types(list(types), op.canonicalize(list(types), attrs), regions)
    return out[0] if len(out) == 1 else out


def run(op_name, *arrays, **attrs):
    arrays = [np.asarray(a) for a in arrays]
    types = [TensorType(T.from_numpy(a.dtype), a.shape) for a in arrays]
    op = registry.get(op_name)
    attrs = op.canonicalize(types, attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = registry.execute(op, arrays, attrs, op.result_types(types, attrs))
    return outs[0] if len(outs) == 1 else outs


def arr(values, dt):
    return np.array(values, dtype=T.parse(dt).numpy)


def check(got, values, dt):
    """`got` has Nx type `dt` and exactly `values` (NaN matches NaN)."""
    dt = T.parse(dt)
    assert got.dtype == dt.numpy, f"dtype {got.dtype}, expected {dt}"
    want = np.array(values, dtype=dt.numpy)
    if dt.is_inexact:
        wide = np.complex128 if dt.is_complex else np.float64
        got, want = got.astype(wide), want.astype(wide)
    np.testing.assert_array_equal(got, want, strict=True)


M23 = [[1, 2, 3], [4, 5, 6]]

# ---------------------------------------------------------------------------
# sum, product
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("attrs, want", [
    ({}, 21),
    ({"axes": (0,)}, [5, 7, 9]),
    ({"axes": (-1,)}, [6, 15]),
    ({"axes": 1, "keep_axes": True}, [[6], [15]]),
    ({"axes": ()}, M23),
])
def test_sum_axes(attrs, want):
    check(run("sum", arr(M23, "s32"), **attrs), want, "s32")


@pytest.mark.parametrize("dt, values, out, want", [
    ("s8", [100, 100, 100], "s32", 300),
    ("u8", [200, 200], "u32", 400),
    ("u16", [65535, 1], "u32", 65536),
    ("s32", [2**31 - 1, 1], "s32", -2**31),  # wraps
    ("u64", [2**64 - 1, 2], "s64", 1),  # u64 sums in s64: -1 + 2
    ("f16", [2048, 1, 1], "f16", 2050),  # f16 alone would stay at 2048
    ("bf16", [256, 1, 1], "bf16", 258),
])
def test_sum_types_widen_and_wrap(dt, values, out, want):
    check(run("sum", arr(values, dt)), want, out)


def test_empty_sum_and_product_are_identities():
    check(run("sum", arr(np.zeros((0, 3)), "f32"), axes=(0,)), [0, 0, 0], "f32")
    check(run("product", arr(np.zeros((0, 3)), "s8"), axes=(0,)), [1, 1, 1], "s32")
    check(run("product", arr(np.zeros((2, 0)), "f64")), 1.0, "f64")


def test_product():
    check(run("product", arr(M23, "s8"), axes=(1,)), [6, 120], "s32")
    check(run("product", arr([65536, 65536], "s32")), 0, "s32")  # wraps
    check(run("product", arr([1 + 1j, 1 - 1j], "c64")), 2 + 0j, "c64")


# ---------------------------------------------------------------------------
# reduce_max, reduce_min
# ---------------------------------------------------------------------------

def test_reduce_max_min_values():
    x = arr([[1, 7, 3], [9, -2, 4]], "s16")
    check(run("reduce_max", x), 9, "s16")
    check(run("reduce_max", x, axes=(1,)), [7, 9], "s16")
    check(run("reduce_min", x, axes=(0,), keep_axes=True), [[1, -2, 3]], "s16")


def test_reduce_max_nan_wins():
    x = arr([[1.0, NAN, 3.0], [INF, 2.0, -INF]], "f32")
    check(run("reduce_max", x, axes=(1,)), [NAN, INF], "f32")
    check(run("reduce_min", x, axes=(1,)), [NAN, -INF], "f32")


@pytest.mark.parametrize("name, dt, want", [
    ("reduce_max", "f32", -INF), ("reduce_min", "f32", INF),
    ("reduce_max", "bf16", -INF), ("reduce_min", "f16", INF),
    ("reduce_max", "s8", -128), ("reduce_min", "s8", 127),
    ("reduce_max", "u8", 0), ("reduce_min", "u64", 2**64 - 1),
])
def test_empty_extremum_is_the_identity(name, dt, want):
    check(run(name, arr(np.zeros((2, 0)), dt), axes=(1,)), [want, want], dt)


@pytest.mark.parametrize("name", ["reduce_max", "reduce_min", "argmax", "argmin"])
def test_ordering_reductions_reject_complex(name):
    with pytest.raises(DTypeError, match=f"{name} does not accept c64"):
        types_of(name, TensorType(T.c64, (3,)))


# ---------------------------------------------------------------------------
# mean
# ---------------------------------------------------------------------------

def test_mean():
    check(run("mean", arr(M23, "s32")), 3.5, "f32")
    check(run("mean", arr(M23, "u8"), axes=(0,)), [2.5, 3.5, 4.5], "f32")
    check(run("mean", arr(M23, "f64"), axes=(1,), keep_axes=True), [[2.0], [5.0]], "f64")
    check(run("mean", arr([2048, 1, 1, 0], "f16")), 512.5, "f16")  # accumulated in f32
    check(run("mean", arr([1 + 2j, 3 + 4j], "c64")), 2 + 3j, "c64")


def test_empty_mean_is_nan_without_warning():
    check(run("mean", arr(np.zeros((0, 2)), "f32"), axes=(0,)), [NAN, NAN], "f32")
    check(run("mean", arr([], "s8")), NAN, "f32")


def test_integer_mean_sums_in_the_widened_type():
    # Nx's mean is divide(sum(x), n): the s32 sum wraps before the division.
    check(run("mean", arr([2**31 - 1, 1], "s32")), -2**30, "f32")


# ---------------------------------------------------------------------------
# argmax, argmin
# ---------------------------------------------------------------------------

def test_argmax_argmin_basic():
    x = arr([[4, 2, 3], [1, -5, 3]], "s8")
    check(run("argmax", x), 0, "s32")
    check(run("argmin", x), 4, "s32")  # flattened index
    check(run("argmax", x, axis=1), [0, 2], "s32")
    check(run("argmin", x, axis=0, keep_axis=True), [[1, 1, 0]], "s32")


def test_tie_break():
    x = arr([[1, 3, 3, 0], [2, 2, 2, 2]], "s32")
    check(run("argmax", x, axis=1), [1, 0], "s32")
    check(run("argmax", x, axis=1, tie_break="high"), [2, 3], "s32")
    y = arr([[4, 2, 3], [1, -5, 3]], "s32")
    check(run("argmin", arr([[[4, 2, 3], [1, -5, 3]], [[6, 2, 3], [4, 8, 3]]], "s32"),
              axis=1, tie_break="high"), [[1, 1, 1], [1, 0, 1]], "s32")  # Nx's doc example
    check(run("argmin", y, axis=0), [1, 1, 0], "s32")


def test_nan_wins_argmax_and_argmin():
    x = arr([1.0, NAN, 5.0, NAN, -1.0], "f32")
    check(run("argmax", x), 1, "s32")
    check(run("argmin", x), 1, "s32")
    check(run("argmax", x, tie_break="high"), 3, "s32")
    check(run("argmin", x, axis=0, tie_break="high"), 3, "s32")
    check(run("argmax", arr([INF, NAN], "bf16")), 1, "s32")


def test_argmax_keep_axis_is_ignored_without_axis():
    assert types_of("argmax", TensorType(T.f32, (2, 3)), keep_axis=True) == TensorType(T.s32, ())


def test_argmax_errors():
    with pytest.raises(ShapeError, match="empty axis 1"):
        types_of("argmax", TensorType(T.f32, (2, 0)), axis=1)
    with pytest.raises(ShapeError, match="argmin of an empty tensor"):
        types_of("argmin", TensorType(T.f32, (0,)))
    with pytest.raises(ArgumentError, match="tie_break must be 'low' or 'high', got 'middle'"):
        types_of("argmax", TensorType(T.f32, (2,)), tie_break="middle")
    with pytest.raises(ShapeError, match="axis 2 is out of range"):
        types_of("argmax", TensorType(T.f32, (2, 3)), axis=2)


# ---------------------------------------------------------------------------
# all, any
# ---------------------------------------------------------------------------

def test_all_any():
    x = arr([[1.0, 0.0, NAN], [2.0, -1.0, NAN]], "f32")
    check(run("all", x, axes=(1,)), [0, 1], "u8")
    check(run("any", x, axes=(0,)), [1, 1, 1], "u8")
    check(run("any", arr([0, 0], "s64")), 0, "u8")
    check(run("all", arr([0j, 1j], "c64")), 0, "u8")
    check(run("all", arr(np.zeros((0,)), "f32")), 1, "u8")
    check(run("any", arr(np.zeros((0,)), "f32")), 0, "u8")


# ---------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------

def test_dot_defaults_follow_nx_dot2():
    a = arr(M23, "s32")
    b = arr([[1, 0], [0, 1], [1, 1]], "s32")
    check(run("dot", a, b), [[4, 5], [10, 11]], "s32")
    check(run("dot", arr([1, 2, 3], "s32"), arr([4, 5, 6], "s32")), 32, "s32")
    check(run("dot", a, arr([1, 1, 1], "s32")), [6, 15], "s32")
    check(run("dot", arr([1, 1], "s32"), a), [5, 7, 9], "s32")
    # rank-3 b: contracts its second-to-last axis, like numpy.dot
    b3 = np.arange(12, dtype=np.int32).reshape(2, 3, 2)
    check(run("dot", arr([1, 0, 1], "s32"), b3), [[4, 6], [16, 18]], "s32")


def test_dot_batch_and_contract_axes():
    a = np.arange(12, dtype=np.float64).reshape(2, 2, 3)
    b = np.arange(12, dtype=np.float64).reshape(2, 3, 2)
    got = run("dot", a, b, contract_axes=((2,), (1,)), batch_axes=((0,), (0,)))
    check(got, [[[10, 13], [28, 40]], [[172, 193], [244, 274]]], "f64")
    # two contracted axes, given out of order and with negative indices
    x = np.arange(6, dtype=np.int64).reshape(2, 3)
    y = np.arange(6, dtype=np.int64).reshape(3, 2)
    check(run("dot", x, y, contract_axes=((0, 1), (-1, 0))), 0*0 + 1*2 + 2*4 + 3*1 + 4*3 + 5*5,
          "s64")
    # nothing contracted: an outer product
    check(run("dot", arr([1, 2], "s32"), arr([3, 4, 5], "s32"), contract_axes=((), ())),
          [[3, 4, 5], [6, 8, 10]], "s32")


def test_dot_types():
    check(run("dot", arr([100], "s8"), arr([100], "s8")), 16, "s8")  # 10000 wraps
    check(run("dot", arr([200], "u8"), arr([-2], "s8")), -400, "s16")
    check(run("dot", arr([2048, 1, 1], "f16"), arr([1, 1, 1], "f16")), 2050, "f16")
    check(run("dot", arr([1, 2], "s32"), arr([0.5, 0.25], "f32")), 1.0, "f32")
    check(run("dot", arr([1j, 2], "c64"), arr([1j, 1], "c64")), 1 + 0j, "c64")
    check(run("dot", arr(np.zeros((2, 0)), "s32"), arr(np.zeros((0, 2)), "s32")),
          [[0, 0], [0, 0]], "s32")


def test_dot_errors():
    with pytest.raises(ShapeError, match=r"dot cannot pair contract axis 1 of f32\[2\]\[3\] "
                                         r"\(size 3\) with axis 0 of f32\[4\]\[2\] \(size 4\)"):
        types_of("dot", TensorType(T.f32, (2, 3)), TensorType(T.f32, (4, 2)))
    with pytest.raises(ShapeError, match="use multiply"):
        types_of("dot", TensorType(T.f32, ()), TensorType(T.f32, (3,)))
    with pytest.raises(ShapeError, match="batch axis 0"):
        types_of("dot", TensorType(T.f32, (2, 3)), TensorType(T.f32, (4, 3)),
                 contract_axes=((1,), (1,)), batch_axes=((0,), (0,)))
    with pytest.raises(ShapeError, match="differ in count"):
        types_of("dot", TensorType(T.f32, (2, 3)), TensorType(T.f32, (3, 2)),
                 contract_axes=((1,), (0, 1)))
    with pytest.raises(ShapeError, match="both contract and batch"):
        types_of("dot", TensorType(T.f32, (2, 3)), TensorType(T.f32, (2, 3)),
                 contract_axes=((0,), (0,)), batch_axes=((0,), (0,)))


# ---------------------------------------------------------------------------
# reshape, transpose, broadcast, squeeze, new_axis
# ---------------------------------------------------------------------------

def test_reshape():
    x = arr(M23, "s32")
    check(run("reshape", x, shape=(3, 2)), [[1, 2], [3, 4], [5, 6]], "s32")
    check(run("reshape", x, shape=(-1,)), [1, 2, 3, 4, 5, 6], "s32")
    check(run("reshape", x, shape=(1, -1, 2)), [[[1, 2], [3, 4], [5, 6]]], "s32")
    check(run("reshape", arr(7, "f32"), shape=(1, 1)), [[7]], "f32")
    check(run("reshape", arr(np.zeros((0, 3)), "f32"), shape=(-1, 3)).reshape(-1), [], "f32")
    op = registry.get("reshape")
    assert op.canonicalize([TensorType(T.f32, (2, 3))], {"shape": [-1, 2]}) == {
        "shape": (3, 2), "names": None}


def test_reshape_errors():
    with pytest.raises(ShapeError, match=r"cannot reshape f32\[2\]\[3\] \(6 elements\) to "
                                         r"\(4, 2\) \(8 elements\)"):
        types_of("reshape", TensorType(T.f32, (2, 3)), shape=(4, 2))
    with pytest.raises(ShapeError, match="no size for the -1 entry"):
        types_of("reshape", TensorType(T.f32, (2, 3)), shape=(-1, 4))
    with pytest.raises(ShapeError, match="more than one -1"):
        types_of("reshape", TensorType(T.f32, (2, 3)), shape=(-1, -1))
    with pytest.raises(ShapeError, match="same symbolic dimensions"):
        types_of("reshape", TensorType(T.f32, (Dim("n"), 3)), shape=(Dim("m"), 3))


def test_transpose():
    x = np.arange(6, dtype=np.int32).reshape(1, 2, 3)
    check(run("transpose", x), np.arange(6).reshape(1, 2, 3).T.tolist(), "s32")
    check(run("transpose", x, axes=(0, 2, 1)), [[[0, 3], [1, 4], [2, 5]]], "s32")
    with pytest.raises(ShapeError, match="must be a permutation of the 3 axes"):
        types_of("transpose", TensorType(T.f32, (1, 2, 3)), axes=(0, 1))
    with pytest.raises(ShapeError, match="repeat an axis"):
        types_of("transpose", TensorType(T.f32, (2, 3)), axes=(1, 1))


def test_broadcast():
    check(run("broadcast", arr([1, 2, 3], "s32"), shape=(2, 3)), [[1, 2, 3], [1, 2, 3]], "s32")
    check(run("broadcast", arr([1, 2], "s32"), shape=(2, 3), axes=(0,)),
          [[1, 1, 1], [2, 2, 2]], "s32")
    check(run("broadcast", arr([[1], [2]], "s32"), shape=(2, 2, 2), axes=(0, 2)),
          [[[1, 1], [1, 1]], [[2, 2], [2, 2]]], "s32")
    check(run("broadcast", arr(5, "u8"), shape=(2,)), [5, 5], "u8")


def test_broadcast_errors():
    with pytest.raises(ShapeError, match=r"cannot broadcast f32\[3\] to \(2, 4\): axis 0 has "
                                         r"size 3 and maps to axis 1 of size 4"):
        types_of("broadcast", TensorType(T.f32, (3,)), shape=(2, 4))
    with pytest.raises(ShapeError, match="fewer axes"):
        types_of("broadcast", TensorType(T.f32, (2, 3)), shape=(3,))
    with pytest.raises(ShapeError, match="must be increasing"):
        types_of("broadcast", TensorType(T.f32, (2, 2)), shape=(2, 2, 2), axes=(1, 0))


def test_squeeze_and_new_axis():
    x = arr([[[1], [2]]], "f32")  # (1, 2, 1)
    check(run("squeeze", x), [1, 2], "f32")
    check(run("squeeze", x, axes=(-1,)), [[1, 2]], "f32")
    check(run("new_axis", arr([1, 2], "f32"), axis=-1), [[1], [2]], "f32")
    assert types_of("new_axis", TensorType(T.f32, (2, 3)), axis=1, name="k") == TensorType(
        T.f32, (2, 1, 3), (None, "k", None))
    assert types_of("new_axis", TensorType(T.f32, ()), axis=0).shape == (1,)
    with pytest.raises(ShapeError, match=r"cannot squeeze axis 1 of f32\[1\]\[2\]: its size is 2"):
        types_of("squeeze", TensorType(T.f32, (1, 2)), axes=(1,))
    with pytest.raises(ShapeError, match="out of range for a new axis"):
        types_of("new_axis", TensorType(T.f32, (2,)), axis=3)


# ---------------------------------------------------------------------------
# slice, put_slice
# ---------------------------------------------------------------------------

def test_slice():
    x = np.arange(20, dtype=np.int32).reshape(4, 5)
    check(run("slice", x, start_indices=(1, 2), lengths=(2, 3)),
          [[7, 8, 9], [12, 13, 14]], "s32")
    check(run("slice", arr([0, 1, 2, 3, 4, 5, 6], "s8"), start_indices=(1,), lengths=(6,),
              strides=(4,)), [1, 5], "s8")  # ceil(6 / 4) = 2
    assert types_of("slice", TensorType(T.f32, (7,)), start_indices=(0,), lengths=(5,),
                    strides=(2,)).shape == (3,)
    assert types_of("slice", TensorType(T.f32, (3,)), start_indices=(1,),
                    lengths=(0,)).shape == (0,)
    # As in Nx, a start past size - length clamps (Nx.slice(iota({3, 3}), [2, 2], [2, 2])).
    check(run("slice", np.arange(9, dtype=np.int32).reshape(3, 3), start_indices=(2, 2),
              lengths=(2, 2)), [[4, 5], [7, 8]], "s32")


def test_slice_errors():
    with pytest.raises(ShapeError, match=r"on axis 1 the length 6 exceeds the axis size 5"):
        types_of("slice", TensorType(T.f32, (4, 5)), start_indices=(0, 0), lengths=(1, 6))
    with pytest.raises(ShapeError, match="needs 2 entries"):
        types_of("slice", TensorType(T.f32, (4, 5)), start_indices=(0,), lengths=(1, 1))
    with pytest.raises(ShapeError, match="strides entries must be >= 1"):
        types_of("slice", TensorType(T.f32, (4,)), start_indices=(0,), lengths=(1,),
                 strides=(0,))


def test_put_slice_clamps_starts():
    x = arr([0, 0, 0, 0, 0], "s32")
    check(run("put_slice", x, arr([1, 2], "s32"), start_indices=(1,)), [0, 1, 2, 0, 0], "s32")
    check(run("put_slice", x, arr([1, 2], "s32"), start_indices=(4,)), [0, 0, 0, 1, 2], "s32")
    check(run("put_slice", x, arr([1, 2], "s32"), start_indices=(-3,)), [1, 2, 0, 0, 0], "s32")
    m = arr(np.zeros((2, 3)), "s8")
    check(run("put_slice", m, arr([[0.5, 1.5]], "f32"), start_indices=(5, 5)),
          [[0, 0, 0], [0, 0.5, 1.5]], "f32")
    with pytest.raises(ShapeError, match="does not fit"):
        types_of("put_slice", TensorType(T.f32, (2,)), TensorType(T.f32, (3,)),
                 start_indices=(0,))
    with pytest.raises(ShapeError, match="rank"):
        types_of("put_slice", TensorType(T.f32, (2, 2)), TensorType(T.f32, (2,)),
                 start_indices=(0, 0))


# ---------------------------------------------------------------------------
# concatenate, stack, pad
# ---------------------------------------------------------------------------

def test_concatenate():
    check(run("concatenate", arr([[1, 2]], "s8"), arr([[3, 4], [5, 6]], "s8")),
          [[1, 2], [3, 4], [5, 6]], "s8")
    check(run("concatenate", arr([[1], [2]], "s8"), arr([[0.5], [1.5]], "f32"),
              arr(np.zeros((2, 0)), "u8"), axis=-1), [[1, 0.5], [2, 1.5]], "f32")
    with pytest.raises(ShapeError, match=r"axis 1 differs \(2 vs 3\)"):
        types_of("concatenate", TensorType(T.f32, (1, 2)), TensorType(T.f32, (1, 3)))
    with pytest.raises(ShapeError, match="cannot concatenate scalars"):
        types_of("concatenate", TensorType(T.f32, ()), TensorType(T.f32, ()))


def test_stack():
    check(run("stack", arr([1, 2], "s32"), arr([3, 4], "s32")), [[1, 2], [3, 4]], "s32")
    check(run("stack", arr([1, 2], "s32"), arr([3, 4], "s32"), axis=-1), [[1, 3], [2, 4]], "s32")
    check(run("stack", arr(1, "u8"), arr(-1, "s8")), [1, -1], "s16")
    with pytest.raises(ShapeError, match="shapes differ"):
        types_of("stack", TensorType(T.f32, (2,)), TensorType(T.f32, (3,)))


@pytest.mark.parametrize("x, config, want", [
    ([1, 2, 3], ((1, 2, 0),), [9, 1, 2, 3, 9, 9]),
    ([1, 2, 3], ((0, 0, 1),), [1, 9, 2, 9, 3]),
    ([1, 2, 3], ((-1, 0, 0),), [2, 3]),
    ([1, 2, 3], ((-1, -1, 1),), [9, 2, 9]),  # interior first, then the edges crop
    ([1, 2, 3], ((-2, 1, 2),), [9, 2, 9, 9, 3, 9]),
    ([1, 2, 3], ((-2, -1, 0),), []),
    ([], ((1, 1, 5),), [9, 9]),
])
def test_pad(x, config, want):
    check(run("pad", arr(x, "s32"), arr(9, "s32"), config=config), want, "s32")


def test_pad_2d_and_types():
    got = run("pad", arr([[1, 2], [3, 4]], "u8"), arr(-1, "s8"), config=((1, 0, 0), (0, 1, 1)))
    check(got, [[-1, -1, -1, -1], [1, -1, 2, -1], [3, -1, 4, -1]], "s16")
    with pytest.raises(ShapeError, match="pad value must be a scalar"):
        types_of("pad", TensorType(T.f32, (2,)), TensorType(T.f32, (1,)), config=((0, 0, 0),))
    with pytest.raises(ShapeError, match="below zero"):
        types_of("pad", TensorType(T.f32, (2,)), TensorType(T.f32, ()), config=((-2, -1, 0),))
    with pytest.raises(ShapeError, match="interior padding must be >= 0"):
        types_of("pad", TensorType(T.f32, (2,)), TensorType(T.f32, ()), config=((0, 0, -1),))


# ---------------------------------------------------------------------------
# Canonical attributes: tuples of non-negative ints
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, t, attrs, want", [
    ("sum", TensorType(T.f32, (2, 3, 4)), {"axes": [-1, 0]}, {"axes": (0, 2), "keep_axes": False}),
    ("sum", TensorType(T.f32, (2, 3)), {}, {"axes": (0, 1), "keep_axes": False}),
    ("argmax", TensorType(T.f32, (2, 3)), {"axis": -1},
     {"axis": 1, "keep_axis": False, "tie_break": "low"}),
    ("transpose", TensorType(T.f32, (2, 3, 4)), {}, {"axes": (2, 1, 0)}),
    ("squeeze", TensorType(T.f32, (1, 3, 1)), {}, {"axes": (0, 2)}),
    ("broadcast", TensorType(T.f32, (3,)), {"shape": [2, 3]},
     {"shape": (2, 3), "axes": (1,), "names": None}),
    ("slice", TensorType(T.f32, (4,)), {"start_indices": [1], "lengths": [2]},
     {"start_indices": (1,), "lengths": (2,), "strides": (1,)}),
    ("new_axis", TensorType(T.f32, (2,)), {"axis": -1}, {"axis": 1, "name": None}),
])
def test_canonical_attributes(name, t, attrs, want):
    op = registry.get(name)
    got = op.canonicalize([t], attrs)
    assert got == want
    assert op.canonicalize([t], got) == got  # canonical form is a fixed point


def test_dot_canonical_attributes():
    op = registry.get("dot")
    a, b = TensorType(T.f32, (2, 3)), TensorType(T.f32, (3,))
    assert op.canonicalize([a, b], {}) == {"contract_axes": ((1,), (0,)), "batch_axes": ((), ())}
    assert op.canonicalize([a, b], {"contract_axes": [[-1], [-1]]})["contract_axes"] == (
        (1,), (0,))


# ---------------------------------------------------------------------------
# Control flow, built with the Builder and run by the interpreter
# ---------------------------------------------------------------------------

S32 = TensorType(T.s32, ())
F32 = TensorType(T.f32, ())


def function(param_types):
    b = Builder()
    return b, b.function(Module(), "f", list(param_types))


def test_while_sums_one_to_ten():
    b, fn = function([S32])
    with b.at(fn.body):
        (n,) = fn.params
        test = Block([S32, S32])
        with b.at(test):
            b.terminate("yield", [b.op("less_equal", test.args[0], n)])
        body = Block([S32, S32])
        with b.at(body):
            i, acc = body.args
            b.terminate("yield", [b.op("add", i, 1), b.op("add", acc, i)])
        i_end, total = b.op("while", b.constant(1, "s32"), b.constant(0, "s32"),
                            regions=[test, body])
        b.terminate("return", [total, i_end])
    total, i_end = run_function(fn, np.int32(10))
    check(total, 55, "s32")
    check(i_end, 11, "s32")
    check(run_function(fn, np.int32(0))[0], 0, "s32")  # the body never runs


def test_for_computes_a_factorial():
    b, fn = function([])
    with b.at(fn.body):
        body = Block([S32, TensorType(T.s64, ())])
        with b.at(body):
            i, acc = body.args
            b.terminate("yield", [b.op("multiply", acc, b.op("as_type", i, type="s64"))])
        out = b.op("for", b.constant(1, "s64"), start=1, stop=21, step=1, regions=[body])
        b.terminate("return", [out])
    check(run_function(fn)[0], math.factorial(20), "s64")


def test_for_negative_step_sees_each_index():
    b, fn = function([])
    with b.at(fn.body):
        body = Block([S32, S32])
        with b.at(body):
            i, acc = body.args
            # acc * 10 + i records the indices in order
            b.terminate("yield", [b.op("add", b.op("multiply", acc, 10), i)])
        out = b.op("for", b.constant(0, "s32"), start=5, stop=0, step=-2, regions=[body])
        b.terminate("return", [out])
    check(run_function(fn)[0], 531, "s32")


def test_nested_cond():
    # f(x) = x > 0 ? (x > 10 ? 100 : x) : -x
    b, fn = function([F32])
    with b.at(fn.body):
        (x,) = fn.params
        outer_then = Block()
        with b.at(outer_then):
            inner_then, inner_else = Block(), Block()
            with b.at(inner_then):
                b.terminate("yield", [b.constant(100.0, "f32")])
            with b.at(inner_else):
                b.terminate("yield", [x])
            b.terminate("yield", [b.op("cond", b.op("greater", x, 10.0),
                                       regions=[inner_then, inner_else])])
        outer_else = Block()
        with b.at(outer_else):
            b.terminate("yield", [b.op("negate", x)])
        b.terminate("return", [b.op("cond", b.op("greater", x, 0.0),
                                    regions=[outer_then, outer_else])])
    for x, want in ((20.0, 100.0), (3.0, 3.0), (-2.0, 2.0)):
        check(run_function(fn, np.float32(x))[0], want, "f32")


def test_cond_with_several_results():
    b, fn = function([S32])
    with b.at(fn.body):
        (p,) = fn.params
        then, other = Block(), Block()
        with b.at(then):
            b.terminate("yield", [b.constant(1, "s32"), b.constant(1.5, "f32")])
        with b.at(other):
            b.terminate("yield", [b.constant(2, "s32"), b.constant(2.5, "f32")])
        b.terminate("return", b.op("cond", p, regions=[then, other]))
    one, x = run_function(fn, np.int32(7))
    check(one, 1, "s32")
    check(x, 1.5, "f32")
    check(run_function(fn, np.int32(0))[1], 2.5, "f32")


V3 = TensorType(T.f32, (3,))


@pytest.mark.parametrize("then_t, else_t, error, match", [
    (F32, S32, DTypeError, r"entry 0 of the else branch is s32, the then branch is f32"),
    (V3, F32, ShapeError, r"entry 0 of the else branch is f32, the then branch is f32\[3\]"),
    (V3, V3.with_names(("k",)), AxisNameError, r"f32\[k: 3\]"),
])
def test_cond_branches_must_agree(then_t, else_t, error, match):
    with pytest.raises(error, match=match):
        types_of("cond", S32, regions=[((), (then_t,)), ((), (else_t,))])


def test_control_flow_type_errors():
    with pytest.raises(ShapeError, match=r"cond predicate must be a scalar, got u8\[2\]"):
        types_of("cond", TensorType(T.u8, (2,)), regions=[((), ()), ((), ())])
    with pytest.raises(DTypeError, match="cond does not accept c64"):
        types_of("cond", TensorType(T.c64, ()), regions=[((), ()), ((), ())])
    with pytest.raises(DTypeError, match=r"entry 1 of the body's result is f32, the state is s32"):
        types_of("while", F32, S32, regions=[((F32, S32), (S32,)), ((F32, S32), (F32, F32))])
    with pytest.raises(ShapeError, match="cond region must yield one scalar"):
        types_of("while", F32, regions=[((F32,), (S32, S32)), ((F32,), (F32,))])
    with pytest.raises(ShapeError, match=r"while condition must be a scalar"):
        types_of("while", V3, regions=[((V3,), (V3,)), ((V3,), (V3,))])
    with pytest.raises(ArgumentError, match="step must not be 0"):
        types_of("for", F32, start=0, stop=3, step=0, regions=[((S32, F32), (F32,))])
    with pytest.raises(DTypeError, match=r"first argument must be the index \(s32\)"):
        types_of("for", F32, start=0, stop=3, regions=[((F32, F32), (F32,))])
    with pytest.raises(ArgumentError, match=r"while takes 2 region\(s\)"):
        types_of("while", F32, regions=[((F32,), (S32,))])


def test_builder_reports_branch_mismatch():
    b, fn = function([S32])
    with b.at(fn.body):
        then, other = Block(), Block()
        with b.at(then):
            b.terminate("yield", [b.constant(1, "s32")])
        with b.at(other):
            b.terminate("yield", [b.constant(1.0, "f32")])
        with pytest.raises(DTypeError, match="cond"):
            b.op("cond", fn.params[0], regions=[then, other])


# ---------------------------------------------------------------------------
# Symbolic dimensions: sizes are bound at run time by the interpreter
# ---------------------------------------------------------------------------

N = Dim("n")


def test_symbolic_reshape_and_broadcast_run():
    b, fn = function([TensorType(T.f32, (N, 2, 3))])
    with b.at(fn.body):
        (x,) = fn.params
        flat = b.op("reshape", x, shape=(N, -1))
        assert flat.type == TensorType(T.f32, (N, 6))
        s = b.op("sum", flat, axes=(1,))  # f32[?n]
        ones = b.op("broadcast", b.constant(1.0, "f32"), shape=(N,))
        b.terminate("return", [b.op("add", s, ones), b.op("slice", x, start_indices=(0, 1, 0),
                                                           lengths=(N, 1, 3))])
    x = np.arange(24, dtype=np.float32).reshape(4, 2, 3)
    total, sl = run_function(fn, x)
    check(total, x.reshape(4, 6).sum(axis=1) + 1, "f32")
    check(sl, x[:, 1:2, :], "f32")
    total, _ = run_function(fn, x[:1])
    check(total, [16.0], "f32")


def test_symbolic_dims_that_cannot_be_typed_are_errors():
    t = TensorType(T.f32, (N, 3))
    with pytest.raises(ShapeError, match="symbolic axis 0"):
        types_of("concatenate", t, t)
    with pytest.raises(ShapeError, match="cannot pad the symbolic axis 0"):
        types_of("pad", t, F32, config=((1, 0, 0), (0, 0, 0)))
    with pytest.raises(ShapeError, match="must be the whole axis"):
        types_of("slice", t, start_indices=(1, 0), lengths=(N, 3))
    with pytest.raises(ShapeError, match=r"cannot squeeze axis 0 of f32\[\?n\]\[3\]"):
        types_of("squeeze", t, axes=(0,))
