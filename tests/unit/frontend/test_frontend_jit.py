"""The JIT path: calling a defn from Python specializes it per argument types and
option values, runs it through the interpreter and returns nx.Tensors."""
import numpy as np
import pytest

import nxc as nx
from nxc.compiler.ir.core import walk
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.runtime.errors import ArgumentError, CompileError


@nx.defn
def affine(x, w, *, bias=0.0):
    return x * w + bias


def test_one_specialization_per_types_and_options():
    affine._cache.clear()
    x = np.ones(3, np.float32)
    affine(x, x)
    affine(x, x)
    assert len(affine._cache) == 1
    affine(x, x, bias=1.0)
    affine(x.astype(np.float64), x)
    affine(np.ones(4, np.float32), np.ones(4, np.float32))
    assert len(affine._cache) == 4
    # 1 and 1.0 are equal but type differently: two specializations.
    i = np.ones(2, np.int32)
    assert affine(i, i, bias=1).dtype == nx.s32
    assert affine(i, i, bias=1.0).dtype == nx.f32
    out = affine(x, 2 * x, bias=1.0)
    assert isinstance(out, nx.Tensor) and out.tolist() == [3.0, 3.0, 3.0]


def test_unannotated_parameters_keep_names_from_tensors():
    t = nx.tensor([[1.0, 2.0]], names=["batch", "features"])
    out = affine(t, 3.0)
    assert out.names == ("batch", "features")
    assert out.tolist() == [[3.0, 6.0]]
    fn = affine.specialize(t, 3.0).function
    assert fn.param_types == [TensorType(nx.f32, (1, 2), ("batch", "features")),
                              TensorType(nx.f32, ())]


@nx.defn
def typed(v: nx.f64["n"], s: nx.f64):
    return v * s


def test_annotated_parameters_check_arguments_and_convert_numbers():
    out = typed(np.array([1.0, 2.0]), 3)  # the number becomes f64, as annotated
    assert out.dtype == nx.f64 and out.tolist() == [3.0, 6.0]
    assert typed.specialize(np.zeros(5), 1.0).function.param_types[0] == \
        TensorType(nx.f64, (Dim("n"),), ("n",))
    # No silent casts of tensors (the compiled runtime names the parameter).
    with pytest.raises(nx.NxcError, match=r"argument (0|v) must be f64\[n: \?n\]"):
        typed(np.zeros(2, np.float32), 1.0)
    with pytest.raises(nx.NxcError, match="rank 1"):
        typed(np.zeros((2, 2)), 1.0)


def test_argument_count_and_options():
    x = np.ones(2, np.float32)
    with pytest.raises(ArgumentError, match="missing the tensor argument"):
        affine(x)
    with pytest.raises(ArgumentError, match=r"takes 2 tensor argument\(s\) \(x, w\), got 3"):
        affine(x, x, x)
    assert affine(x, w=x).tolist() == [1.0, 1.0]  # tensors may be given by name
    with pytest.raises(CompileError, match=r"affine has no option scale; its options are"):
        affine(x, x, scale=2)
    with pytest.raises(ArgumentError, match="must be a tensor, a numpy array or a number"):
        affine(x, "w")


@nx.defn
def stats(x):
    return nx.sum(x), (nx.reduce_max(x), nx.reduce_min(x))


def test_tuple_returns_give_tuples_of_tensors():
    total, (hi, lo) = stats(np.array([3, -1, 7], np.int8))
    assert total.dtype == nx.s32 and total.item() == 9  # sum widens s8
    assert (hi.item(), lo.item()) == (7, -1)


def test_jit_of_functions_and_lambdas():
    def plain(a, b):
        return nx.dot(a, b)

    jitted = nx.jit(plain)
    assert jitted(np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0], np.float32)).item() == 11.0
    assert nx.jit(jitted) is jitted
    assert nx.jit(lambda t: t * 2)(nx.tensor([1, 2])).tolist() == [2, 4]
    with pytest.raises(ArgumentError, match="defn takes a Python function"):
        nx.defn(3)


def test_defn_functions_call_each_other_across_scopes():
    @nx.defn
    def inner(t, *, k=2):
        return t ** k

    @nx.defn
    def outer(t):
        return inner(t) + inner(t, k=3)  # a closure over another defn

    assert outer(np.array([2.0], np.float32)).tolist() == [12.0]


def test_the_ir_of_a_specialization_is_located_in_this_file():
    fn = stats.specialize(np.zeros(3, np.float32)).function
    assert fn.loc.file == __file__ and fn.loc.col == 1
    assert fn.name == "stats"


@nx.defn
def control(x, n):
    i = 0
    acc = x
    while i < n:
        acc = acc * 0.5 if nx.sum(acc) > 1 else acc + 1
        i += 1
    for k in range(3):
        acc = acc - k
    if n > 2:
        return acc
    return -acc


def test_every_op_is_located_in_the_source_and_the_ir_verifies():
    fn = control.specialize(np.ones(3, np.float32), np.int32(4)).function
    verify_function(fn)
    ops = list(walk(fn.body))
    assert {op.name for op in ops} >= {"while", "cond", "for", "yield", "return"}
    first = fn.loc.line
    for op in ops:
        assert op.loc.file == __file__, op
        assert first <= op.loc.line <= first + 11 and op.loc.col >= 1, (op, op.loc)
    # acc: 1 -> 0.5 -> 0.25 -> 1.25 -> 0.625 in the while loop, then - 0 - 1 - 2.
    assert control(np.ones(3, np.float32), np.int32(4)).tolist() == [-2.375] * 3
    assert control(np.ones(3, np.float32), np.int32(1)).tolist() == [2.5] * 3


@nx.defn
def loss(w, x):
    return nx.sum(nx.tanh(x * w))


@nx.defn
def descend(w, x):
    def square(v):
        return nx.sum(v * v)
    # Functions of the defn given to nx functions are lowered where those call them.
    return (w - 0.1 * nx.grad(loss)(w, x), nx.grad(square)(w),
            nx.grad(lambda v: nx.sum(nx.exp(v)))(w))


def test_defn_functions_can_be_given_to_nx_functions():
    w = np.array([0.5, -1.0], np.float32)
    x = np.array([2.0, 3.0], np.float32)
    stepped, d_square, d_exp = descend(w, x)
    w64, x64 = w.astype(np.float64), x.astype(np.float64)
    np.testing.assert_allclose(np.asarray(stepped),
                               w64 - 0.1 * x64 * (1 - np.tanh(x64 * w64) ** 2), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(d_square), 2 * w64, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(d_exp), np.exp(w64), rtol=1e-6)


@nx.defn
def activate(x, *, fn=nx.tanh, scale=1.0):
    return fn(x) * scale


def test_functions_as_options():
    x = np.array([-1.0, 0.5], np.float32)
    np.testing.assert_allclose(np.asarray(activate(x)), np.tanh(x.astype(np.float64)), rtol=1e-6)
    out = activate(x, fn=lambda t: nx.max(t, 0.0), scale=2.0)
    assert out.tolist() == [0.0, 1.0]
    assert activate(x, fn=cube).tolist() == [-1.0, 0.125]  # a plain function, lowered


def cube(t):
    return t * t * t
