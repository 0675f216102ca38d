"""Nx's axis-name rules, checked on the type rules.

Broadcasting merges names pairwise from the right (None + name -> name, equal
names are kept, different names are an error); reductions drop the names of
reduced axes (keep_axes keeps them); transpose permutes names; reshape clears
them unless given; every axis option accepts a name, and an unknown name is an
error that lists the tensor's names.
"""
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.types import TensorType, broadcast
from nxc.runtime.errors import AxisNameError


def named(shape, names, dtype=T.f32):
    return TensorType(dtype, shape, names)


def result(op_name, *types, **attrs):
    op = registry.get(op_name)
    return op.result_types(list(types), op.canonicalize(list(types), attrs))[0]


# ---------------------------------------------------------------------------
# Broadcasting
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, want", [
    (named((2, 3), ("rows", None)), named((3,), (None,)), ("rows", None)),
    (named((2, 3), (None, None)), named((3,), ("cols",)), (None, "cols")),
    (named((2, 3), ("rows", "cols")), named((2, 3), ("rows", "cols")), ("rows", "cols")),
    (named((2, 1), ("rows", None)), named((1, 3), (None, "cols")), ("rows", "cols")),
    (named((4, 1, 3), ("batch", None, "x")), named((2, 1), ("y", None)), ("batch", "y", "x")),
])
def test_binary_ops_merge_names(a, b, want):
    assert result("add", a, b).names == want
    assert result("add", b, a).names == want
    assert broadcast(a, b).names == want


def test_different_names_do_not_merge():
    a, b = named((2, 3), ("batch", None)), named((2, 3), ("time", None))
    with pytest.raises(AxisNameError, match="cannot merge name 'batch' on axis 0 with name "
                                            "'time' on axis 0"):
        result("add", a, b)


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

X = named((2, 3, 4), ("batch", "rows", "cols"))


@pytest.mark.parametrize("op_name", ["sum", "product", "reduce_max", "mean", "all"])
def test_reductions_drop_reduced_names(op_name):
    assert result(op_name, X, axes=("rows",)) == TensorType(
        result(op_name, X, axes=(1,)).dtype, (2, 4), ("batch", "cols"))
    assert result(op_name, X, axes=(0, -1)).names == ("rows",)
    assert result(op_name, X).names == ()


def test_keep_axes_keeps_names():
    assert result("sum", X, axes=("cols",), keep_axes=True) == named(
        (2, 3, 1), ("batch", "rows", "cols"))
    assert result("argmax", X, axis="rows", keep_axis=True) == named(
        (2, 1, 4), ("batch", "rows", "cols"), T.s32)
    assert result("argmin", X, axis="rows") == named((2, 4), ("batch", "cols"), T.s32)


# ---------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------

def test_transpose_permutes_names():
    assert result("transpose", X).names == ("cols", "rows", "batch")
    assert result("transpose", X, axes=("rows", "cols", "batch")) == named(
        (3, 4, 2), ("rows", "cols", "batch"))


def test_reshape_clears_names_unless_given():
    assert result("reshape", X, shape=(6, 4)).names == (None, None)
    assert result("reshape", X, shape=(6, 4), names=("flat", "cols")).names == ("flat", "cols")
    with pytest.raises(AxisNameError, match="reshape needs 2 axis names, got 3"):
        result("reshape", X, shape=(6, 4), names=("a", "b", "c"))


def test_broadcast_names():
    v = named((3,), ("rows",))
    assert result("broadcast", v, shape=(2, 3)).names == (None, "rows")
    assert result("broadcast", v, shape=(3, 2), axes=(0,)).names == ("rows", None)
    assert result("broadcast", v, shape=(2, 3), names=("b", "r")).names == ("b", "r")


def test_names_of_other_shape_ops():
    assert result("squeeze", named((1, 3), ("one", "rows"))).names == ("rows",)
    assert result("new_axis", X, axis=0, name="new").names == ("new", "batch", "rows", "cols")
    assert result("slice", X, start_indices=(0, 1, 0), lengths=(1, 2, 4)).names == X.names
    assert result("pad", X, TensorType(T.f32, ()),
                  config=((0, 0, 0), (1, 1, 0), (0, 0, 1))).names == X.names
    assert result("stack", named((2,), ("x",)), named((2,), (None,)), axis=1,
                  name="k").names == ("x", "k")


def test_concatenate_and_put_slice_merge_names():
    a, b = named((2, 3), ("rows", None)), named((1, 3), (None, "cols"))
    assert result("concatenate", a, b) == named((3, 3), ("rows", "cols"))
    assert result("put_slice", a, b, start_indices=(0, 0)).names == ("rows", "cols")
    with pytest.raises(AxisNameError, match="cannot merge name"):
        result("concatenate", a, named((1, 3), ("time", None)))


def test_dot_keeps_batch_names_then_free_names():
    a = named((5, 2, 3), ("batch", "i", "k"))
    b = named((5, 3, 4), (None, "k", "j"))
    got = result("dot", a, b, contract_axes=(("k",), (1,)), batch_axes=((0,), (0,)))
    assert got == named((5, 2, 4), ("batch", "i", "j"))
    with pytest.raises(AxisNameError, match="cannot merge name"):
        result("dot", a, named((5, 3, 4), ("time", None, None)),
               contract_axes=((2,), (1,)), batch_axes=((0,), (0,)))


def test_dot_rejects_repeated_names():
    x = named((2, 3), ("rows", "cols"))
    with pytest.raises(AxisNameError, match=r"would repeat an axis name in \['rows', 'rows'\]"):
        result("dot", x, result("transpose", x))


# ---------------------------------------------------------------------------
# Axes by name
# ---------------------------------------------------------------------------

def test_axis_options_accept_names():
    assert result("sum", X, axes=["batch", "cols"]).shape == (3,)
    assert result("squeeze", named((2, 1), ("rows", "one")), axes=("one",)).shape == (2,)
    assert result("concatenate", X, X, axis="cols").shape == (2, 3, 8)
    assert result("transpose", X, axes=("cols", "batch", "rows")).shape == (4, 2, 3)


@pytest.mark.parametrize("op_name, attrs", [
    ("sum", {"axes": ["time"]}),
    ("argmax", {"axis": "time"}),
    ("transpose", {"axes": ("time", "rows", "cols")}),
    ("concatenate", {"axis": "time"}),
])
def test_unknown_name_lists_the_tensor_names(op_name, attrs):
    types = [X, X] if op_name == "concatenate" else [X]
    with pytest.raises(AxisNameError, match=r"'time' not found in tensor "
                                            r"f32\[batch: 2\]\[rows: 3\]\[cols: 4\], its axis "
                                            r"names are \['batch', 'rows', 'cols'\]"):
        result(op_name, *types, **attrs)
