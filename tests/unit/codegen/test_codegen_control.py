"""cond, while, for (and custom_grad's region) compiled to scf, against the
interpreter and explicit expected values. One module holds every function."""
import math

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Block, Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import Dim, TensorType

S32 = TensorType(T.s32, ())
S64 = TensorType(T.s64, ())
F32 = TensorType(T.f32, ())
U8 = TensorType(T.u8, ())
ROWS = TensorType(T.f32, (Dim("n"), 3))
VEC = TensorType(T.f32, (Dim("n"),))


def while_sum(b, m):
    """sum of 1..n by a while loop; returns (total, final i)."""
    fn = b.function(m, "while_sum", [S32], hints=["n"])
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


def for_loop(b, m, name, start, stop, step):
    """acc * 10 + i over range(start, stop, step): the indices in order, as digits."""
    fn = b.function(m, name, [])
    with b.at(fn.body):
        body = Block([S32, S64])
        with b.at(body):
            i, acc = body.args
            b.terminate("yield", [b.op("add", b.op("multiply", acc, 10),
                                       b.op("as_type", i, type="s64"))])
        out = b.op("for", b.constant(0, "s64"), start=start, stop=stop, step=step,
                   regions=[body])
        b.terminate("return", [out])


def factorial(b, m):
    fn = b.function(m, "factorial", [])
    with b.at(fn.body):
        body = Block([S32, S64])
        with b.at(body):
            i, acc = body.args
            b.terminate("yield", [b.op("multiply", acc, b.op("as_type", i, type="s64"))])
        b.terminate("return", [b.op("for", b.constant(1, "s64"), start=1, stop=21,
                                    regions=[body])])


def nested_cond(b, m):
    """x > 0 ? (x > 10 ? 100 : x) : -x"""
    fn = b.function(m, "nested_cond", [F32], hints=["x"])
    with b.at(fn.body):
        (x,) = fn.params
        outer_then, inner_then, inner_else, outer_else = Block(), Block(), Block(), Block()
        with b.at(outer_then):
            with b.at(inner_then):
                b.terminate("yield", [b.constant(100.0, "f32")])
            with b.at(inner_else):
                b.terminate("yield", [x])
            b.terminate("yield", [b.op("cond", b.op("greater", x, 10.0),
                                       regions=[inner_then, inner_else])])
        with b.at(outer_else):
            b.terminate("yield", [b.op("negate", x)])
        b.terminate("return", [b.op("cond", b.op("greater", x, 0.0),
                                    regions=[outer_then, outer_else])])


def tensor_cond(b, m):
    """p ? (exp(x), 1) : (x * 2, 2) on symbolic rows, several results."""
    fn = b.function(m, "tensor_cond", [U8, ROWS], hints=["p", "x"])
    with b.at(fn.body):
        p, x = fn.params
        then, other = Block(), Block()
        with b.at(then):
            b.terminate("yield", [b.op("exp", x), b.constant(1, "s32")])
        with b.at(other):
            b.terminate("yield", [b.op("multiply", x, 2.0), b.constant(2, "s32")])
        b.terminate("return", b.op("cond", p, regions=[then, other]))


def tensor_while(b, m):
    """Doubles acc and adds y (an outer value) while sum(acc) < limit."""
    fn = b.function(m, "tensor_while", [VEC, VEC, F32], hints=["x", "y", "limit"])
    with b.at(fn.body):
        x, y, limit = fn.params
        test = Block([VEC, S32])
        with b.at(test):
            b.terminate("yield", [b.op("less", b.op("sum", test.args[0]), limit)])
        body = Block([VEC, S32])
        with b.at(body):
            acc, k = body.args
            b.terminate("yield", [b.op("add", b.op("multiply", acc, 2.0), y),
                                  b.op("add", k, 1)])
        b.terminate("return", b.op("while", x, b.constant(0, "s32"), regions=[test, body]))


def indexed_for(b, m):
    """acc + i * x for i in range(4, -1, -2), on a symbolic vector."""
    fn = b.function(m, "indexed_for", [VEC], hints=["x"])
    with b.at(fn.body):
        (x,) = fn.params
        body = Block([S32, VEC])
        with b.at(body):
            i, acc = body.args
            b.terminate("yield", [b.op("add", acc, b.op("multiply", x,
                                                         b.op("as_type", i, type="f32")))])
        b.terminate("return", [b.op("for", b.op("multiply", x, 0.0), start=4, stop=-1,
                                    step=-2, regions=[body])])


def custom_grad(b, m):
    """custom_grad's value is its first operand; the region is for the gradient only."""
    fn = b.function(m, "custom_grad", [VEC, VEC], hints=["v", "x"])
    with b.at(fn.body):
        v, x = fn.params
        region = Block([VEC])
        with b.at(region):
            b.terminate("yield", [b.op("negate", region.args[0])])
        b.terminate("return", [b.op("custom_grad", b.op("sin", v), x, regions=[region])])


@pytest.fixture(scope="module")
def compiled(build):
    m = Module(name="control")
    b = Builder()
    while_sum(b, m)
    for_loop(b, m, "for_up", 1, 4, 1)
    for_loop(b, m, "for_down", 5, 0, -2)
    for_loop(b, m, "for_empty", 3, 3, 1)
    factorial(b, m)
    nested_cond(b, m)
    tensor_cond(b, m)
    tensor_while(b, m)
    indexed_for(b, m)
    custom_grad(b, m)
    return build(m), m


def run_both(compiled, name, *args):
    art, m = compiled
    got = getattr(art, name)(*args)
    got = [np.asarray(g) for g in (got if isinstance(got, tuple) else (got,))]
    want = run_function(m[name], *args)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-6)
    return got


def test_while_loop_sums(compiled):
    total, i_end = run_both(compiled, "while_sum", np.int32(10))
    assert (int(total), int(i_end)) == (55, 11)
    total, i_end = run_both(compiled, "while_sum", np.int32(0))  # the body never runs
    assert (int(total), int(i_end)) == (0, 1)


@pytest.mark.parametrize("name, digits", [("for_up", 123), ("for_down", 531), ("for_empty", 0)])
def test_for_loop_sees_each_index_in_order(compiled, name, digits):
    (out,) = run_both(compiled, name)
    assert int(out) == digits


def test_for_loop_multiplies_in_s64(compiled):
    (out,) = run_both(compiled, "factorial")
    assert int(out) == math.factorial(20)


@pytest.mark.parametrize("x, want", [(20.0, 100.0), (3.0, 3.0), (-2.0, 2.0)])
def test_nested_cond(compiled, x, want):
    (out,) = run_both(compiled, "nested_cond", np.float32(x))
    assert float(out) == want


@pytest.mark.parametrize("p", [0, 1, 7])
def test_cond_on_tensors_with_symbolic_rows(compiled, p):
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    rows, which = run_both(compiled, "tensor_cond", np.uint8(p), x)
    want = np.exp(x.astype(np.float64)) if p else x.astype(np.float64) * 2
    np.testing.assert_allclose(rows, want, rtol=1e-6)
    assert int(which) == (1 if p else 2)


def test_while_on_tensors_uses_outer_values(compiled):
    x = np.array([1.0, 2.0], np.float32)
    y = np.array([0.5, 0.5], np.float32)
    acc, k = run_both(compiled, "tensor_while", x, y, np.float32(40.0))
    # 3 -> 7 -> 15 -> 31 -> 63: four doublings of (1, 2) with + 0.5 each time
    np.testing.assert_array_equal(acc, [23.5, 39.5])
    assert int(k) == 4


def test_for_index_is_an_s32_tensor(compiled):
    x = np.arange(5, dtype=np.float32)
    (out,) = run_both(compiled, "indexed_for", x)
    np.testing.assert_array_equal(out, x * (4 + 2 + 0))


def test_custom_grad_is_its_value(compiled):
    v = np.array([0.5, 1.0, 2.0], np.float32)
    (out,) = run_both(compiled, "custom_grad", v, np.zeros(3, np.float32))
    np.testing.assert_allclose(out, np.sin(v.astype(np.float64)), rtol=1e-6)
