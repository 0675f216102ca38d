"""The promotion table: every example the Nx reference gives, and the rules around it."""
import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.dtypes import promote, promote_scalar, scalar_type
from nxc.runtime.errors import DTypeError


@pytest.mark.parametrize("a, b, out", [
    # kind precedence c > f > bf > s > u; same kind: larger size
    ("u8", "u16", "u16"), ("s8", "s64", "s64"), ("f16", "f32", "f32"), ("c64", "c128", "c128"),
    # unsigned with signed: signed of size max(min(2 x unsigned, 64), signed)
    ("u8", "s8", "s16"), ("u32", "s8", "s64"), ("u8", "s32", "s32"), ("u64", "s8", "s64"),
    ("u16", "s64", "s64"),
    # float with complex: complex of max(2 x float size, complex size)
    ("f64", "c64", "c128"), ("f32", "c64", "c64"), ("f16", "c64", "c64"), ("bf16", "c128", "c128"),
    # otherwise the higher kind keeps its own size
    ("s64", "f32", "f32"), ("u64", "bf16", "bf16"), ("f16", "bf16", "f16"), ("s8", "f64", "f64"),
    ("u8", "f16", "f16"), ("s64", "c64", "c64"), ("bf16", "f64", "f64"),
])
def test_promote(a, b, out):
    assert promote(T.parse(a), T.parse(b)) == T.parse(out)
    assert promote(T.parse(b), T.parse(a)) == T.parse(out)  # symmetric


def test_promote_is_total_and_symmetric():
    for a in T.ALL:
        for b in T.ALL:
            assert promote(a, b) == promote(b, a)
            assert promote(a, a) == a


@pytest.mark.parametrize("value, out", [
    (1, "s32"), (2**40, "s32"), (1.5, "f32"), (True, "u8"), (1j, "c64"),
])
def test_literal_types(value, out):
    assert scalar_type(value) == T.parse(out)


@pytest.mark.parametrize("tensor, value, out", [
    ("u8", 1, "u8"), ("u8", 255, "u8"), ("u8", 256, "u16"), ("u8", -1, "s16"),
    ("s8", 127, "s8"), ("s8", 128, "s16"), ("s8", -129, "s16"), ("s32", 2**40, "s64"),
    ("u16", -1, "s32"), ("u64", -1, "s64"),
    ("s32", 1.5, "f32"), ("u8", 2.0, "f32"), ("s64", 0.5, "f32"),
    ("f16", 1.5, "f16"), ("bf16", 1, "bf16"), ("f64", 1, "f64"), ("c64", 1.0, "c64"),
    ("f32", 1j, "c64"), ("f64", 1j, "c128"), ("s32", 1j, "c64"),
    ("u8", True, "u8"),
])
def test_tensor_with_python_number(tensor, value, out):
    assert promote_scalar(T.parse(tensor), value) == T.parse(out)


@pytest.mark.parametrize("t, out", [
    ("s8", "f32"), ("u64", "f32"), ("s32", "f32"), ("f16", "f16"), ("bf16", "bf16"),
    ("f64", "f64"), ("c64", "c64"),
])
def test_math_goes_to_float(t, out):
    assert T.to_float(T.parse(t)) == T.parse(out)


@pytest.mark.parametrize("t, out", [
    ("s8", "s32"), ("s16", "s32"), ("s32", "s32"), ("s64", "s64"),
    ("u8", "u32"), ("u16", "u32"), ("u32", "u32"), ("u64", "s64"),
    ("f16", "f16"), ("bf16", "bf16"), ("f32", "f32"), ("c128", "c128"),
])
def test_sum_and_product_widen(t, out):
    assert T.reduction_type(T.parse(t)) == T.parse(out)


def test_index_type_is_s32():
    assert T.INDEX == T.s32


def test_parse_names_and_numpy():
    assert T.parse("bf16").numpy.name == "bfloat16"
    assert T.parse(np.float64) == T.f64
    assert T.parse(("s", 16)) == T.s16
    assert T.from_numpy(np.dtype(bool)) == T.u8
    for t in T.ALL:
        assert T.parse(t.name) is t or T.parse(t.name) == t
        assert T.from_numpy(t.numpy) == t


@pytest.mark.parametrize("bad", ["f8", "float", "int32", "q7", ""])
def test_unknown_type_names(bad):
    with pytest.raises(DTypeError, match="unknown type"):
        T.parse(bad)


def test_numpy_type_without_nx_equivalent():
    with pytest.raises(DTypeError, match="no Nx equivalent"):
        T.from_numpy(np.dtype("datetime64[s]"))
