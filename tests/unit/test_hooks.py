"""nx.print_value and nx.print_expr: what they print, eagerly, interpreted and
compiled (through the runtime's print hook), and that they return their value
unchanged under grad and vmap."""
import numpy as np
import pytest

import nxc as nx
from nxc.compiler.codegen import compile_cached
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.runtime import load
from nxc.runtime.hooks import format_value


@nx.defn
def printed(x):
    y = nx.print_value(x * 2, label="twice")
    return nx.print_expr(y + 1, label="plus one")


def test_format_value():
    assert format_value(np.array([[1, 2], [3, 4]], np.int32), "s32", "m") == \
        "m: s32[2][2]\n[[1, 2],\n [3, 4]]"
    assert format_value(np.array(1.5, np.float32), "f32") == "f32\n1.5"


def test_eager_print_value_prints_and_returns(capsys):
    x = nx.tensor([1, 2, 3])
    y = nx.print_value(x, label="x")
    assert capsys.readouterr().out == "x: s32[3]\n[1, 2, 3]\n"
    assert y.tolist() == [1, 2, 3] and y.dtype == nx.s32


def test_defn_prints_the_value_at_run_time_and_the_expression_at_trace_time(
        capsys, monkeypatch, tmp_path):
    # print_expr prints when the defn is traced: an empty JIT cache makes this
    # call trace it (a cached specialization is loaded without tracing).
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path))
    out = printed(np.array([1.0, 2.0], np.float32))
    text = capsys.readouterr().out
    assert out.tolist() == [3.0, 5.0]
    assert "twice: f32[2]\n[2., 4.]\n" in text
    expr = text[text.index("plus one: "):text.index("twice: ")].splitlines()
    assert expr[0] == "plus one: (%x: f32[2])"
    assert [line.split(" loc(")[0] for line in expr[1:]] == [
        "  %0 = constant() {value = dense<f32: 2.0>} : f32",
        "  %1 = multiply(%x, %0) : f32[2]",
        '  %y = print_value(%1) {label = "twice"} : f32[2]',
        "  %2 = constant() {value = dense<f32: 1.0>} : f32",
        "  %3 = add(%y, %2) : f32[2]",
        "  -> %3 : f32[2]"]


def _module(t: TensorType, label):
    m = Module(name=f"print_{t.dtype.name}")
    b = Builder()
    fn = b.function(m, "f", [t])
    with b.at(fn.body):
        b.terminate("return", [b.op("print_value", fn.params[0], label=label)])
    return m, fn


@pytest.mark.parametrize("dt", [T.u8, T.s8, T.u64, T.s64, T.f16, T.bf16, T.f32, T.f64, T.c64,
                                T.c128])
def test_compiled_print_shows_what_the_interpreter_shows(dt, capsys, tmp_path):
    t = TensorType(dt, (2, 3))
    m, fn = _module(t, "v")
    values = [0, 1, -1, 2.5, -0.0, 1e30, np.nan, np.inf] if not dt.is_int else [
        0, 1, dt.max_value(), dt.min_value(), 7, 3]
    rng = np.random.default_rng(0)
    with np.errstate(all="ignore"):
        x = np.array(rng.choice(np.array(values, dtype=object), size=(2, 3)).tolist())
        x = (x + (1j * x if dt.is_complex else 0)).astype(dt.numpy)
    run_function(fn, x)
    interpreted = capsys.readouterr().out
    art = load(compile_cached(m, cache_dir=str(tmp_path)))
    got = art.f(x)
    compiled = capsys.readouterr().out
    assert compiled == interpreted
    assert interpreted.startswith(f"v: {dt.name}[2][3]\n")
    wide = np.complex128 if dt.is_complex else (object if dt.is_int else np.float64)
    np.testing.assert_array_equal(np.asarray(got).astype(wide), x.astype(wide))


@nx.defn
def printed_in_a_loop(x):
    for i in range(3):
        x = nx.print_value(x + i)
    return x


def test_print_in_a_loop_prints_each_iteration(capsys):
    assert int(printed_in_a_loop(np.int32(10))) == 13
    assert capsys.readouterr().out == "s32\n10\ns32\n11\ns32\n13\n"


def test_gradient_passes_through_print_value(capsys):
    g = nx.grad(lambda x: nx.sum(nx.multiply(nx.print_value(x), x)))(np.array([1.0, -2.0]))
    assert g.tolist() == [2.0, -4.0]


def test_vmap_prints_the_whole_batch(capsys):
    out = nx.vmap(lambda x: nx.print_value(nx.multiply(x, 2)))(
        np.array([[1, 2], [3, 4]], np.int32))
    assert out.tolist() == [[2, 4], [6, 8]]
    assert "s32[2][2]\n[[2, 4],\n [6, 8]]" in capsys.readouterr().out


def test_labels_must_be_strings():
    with pytest.raises(nx.ArgumentError, match="label must be a string"):
        nx.print_value(nx.tensor(1), label=3)
    with pytest.raises(nx.ArgumentError, match="label must be a string"):
        nx.print_expr(nx.tensor(1), label=3)
