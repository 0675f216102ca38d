"""Fused element-wise chains (compiler/codegen/fusion.py): which values stay lazy,
which a reduction's loop writes, which ops overwrite their operand, and that
fused code computes what the interpreter computes, value by value."""
import numpy as np
import pytest

import nxc
from nxc.compiler.codegen import fusion
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.parser import parse_module

SOURCE = """
module @fused

func @fma_tanh(%a: f32[5][7], %b: f32[7], %c: f32[5][7]) -> f32[5][7] {
  %p = multiply(%a, %b) : f32[5][7]
  %s = add(%p, %c) : f32[5][7]
  %t = tanh(%s) : f32[5][7]
  return %t
}

func @stable_softmax(%x: f32[3][9]) -> f32[3][9] {
  %m = reduce_max(%x) {axes = (1), keep_axes = true} : f32[3][1]
  %d = subtract(%x, %m) : f32[3][9]
  %e = exp(%d) : f32[3][9]
  %s = sum(%e) {axes = (1), keep_axes = true} : f32[3][1]
  %y = divide(%e, %s) : f32[3][9]
  return %y
}

func @half_chain(%a: f16[6], %b: bf16[6]) -> (bf16[6], s32) {
  %s = add(%a, %b) : f16[6]
  %h = as_type(%s) {type = bf16} : bf16[6]
  %q = multiply(%h, %h) : bf16[6]
  %l = log(%q) : bf16[6]
  %i = argmax(%q) {axis = 0, keep_axis = false, tie_break = "low"} : s32
  return %l, %i
}

func @diamond(%x: f64[4][3]) -> (f64[3], f64[4][3]) {
  %a = exp(%x) : f64[4][3]
  %b = negate(%a) : f64[4][3]
  %c = multiply(%a, %b) : f64[4][3]
  %d = sum(%c) {axes = (0), keep_axes = false} : f64[3]
  %e = sigmoid(%x) : f64[4][3]
  return %d, %e
}

func @cheap_twice(%x: f32[5]) -> (f32, f32[5]) {
  %m = multiply(%x, %x) : f32[5]
  %s = sum(%m) {axes = (0), keep_axes = false} : f32
  %y = divide(%m, %s) : f32[5]
  return %s, %y
}

func @branch(%p: u8, %x: f32[3]) -> f32[3] {
  %e = exp(%x) : f32[3]
  %r = cond(%p) : f32[3] ({
    %n = negate(%e) : f32[3]
    yield %n
  }, {
    yield %e
  })
  return %r
}

func @softmax(%t: f32[?n]) -> f32[?n] {
  %e = exp(%t) : f32[?n]
  %s = sum(%e) {axes = (0), keep_axes = false} : f32
  %y = divide(%e, %s) : f32[?n]
  return %y
}

func @exp_and_sum(%t: f32[?n]) -> (f32[?n], f32) {
  %e = exp(%t) : f32[?n]
  %s = sum(%e) {axes = (0), keep_axes = false} : f32
  return %e, %s
}

func @over_max(%t: f32[?n]) -> f32[?n] {
  %e = exp(%t) : f32[?n]
  %m = reduce_max(%e) {axes = (0), keep_axes = false} : f32
  %y = divide(%e, %m) : f32[?n]
  return %y
}

func @kept_total(%t: f32[?n]) -> f32[?n] {
  %e = exp(%t) : f32[?n]
  %s = sum(%e) {axes = (0), keep_axes = true} : f32[1]
  %y = divide(%e, %s) : f32[?n]
  return %y
}

func @f16_softmax(%t: f16[?n]) -> f16[?n] {
  %e = exp(%t) : f16[?n]
  %s = sum(%e) {axes = (0), keep_axes = false} : f16
  %y = divide(%e, %s) : f16[?n]
  return %y
}

func @centered(%t: f64[?n]) -> f64[?n] {
  %e = exp(%t) : f64[?n]
  %m = mean(%e) {axes = (0), keep_axes = false} : f64
  %y = subtract(%e, %m) : f64[?n]
  return %y
}

func @columns(%x: f32[?n][3]) -> f32[?n][3] {
  %e = exp(%x) : f32[?n][3]
  %m = reduce_max(%e) {axes = (0), keep_axes = true} : f32[1][3]
  %y = subtract(%x, %e) : f32[?n][3]
  %z = add(%y, %m) : f32[?n][3]
  return %z
}

func @int_sum(%a: s32[?n][4], %b: s32[?n][4]) -> (s32[?n], s32[?n][4]) {
  %p = multiply(%a, %b) : s32[?n][4]
  %s = sum(%p) {axes = (1), keep_axes = false} : s32[?n]
  %q = subtract(%p, %b) : s32[?n][4]
  %r = add(%q, %p) : s32[?n][4]
  return %s, %r
}

func @sum_then_branch(%p: u8, %t: f32[?n]) -> f32[?n] {
  %e = exp(%t) : f32[?n]
  %s = sum(%e) {axes = (0), keep_axes = false} : f32
  %r = cond(%p) : f32[?n] ({
    %n = negate(%e) : f32[?n]
    yield %n
  }, {
    yield %e
  })
  %y = divide(%r, %s) : f32[?n]
  return %y
}

func @scaled_rows(%w: f32[4], %x: f32[?n][4], %y: f32[?n]) -> f32[?n][4] {
  %p = multiply(%x, %w) : f32[?n][4]
  %d = sum(%p) {axes = (1), keep_axes = false} : f32[?n]
  %e = subtract(%d, %y) : f32[?n]
  %b = broadcast(%e) {shape = (?n, 4), axes = (0)} : f32[?n][4]
  %g = multiply(%b, %x) : f32[?n][4]
  return %g
}

func @broadcasts(%s: f32[1], %x: f32[?n][3]) -> (f32[?n][3], f32[?n][3], f32) {
  %e = exp(%s) : f32[1]
  %b = broadcast(%e) {shape = (?n, 3), axes = (1)} : f32[?n][3]
  %c = broadcast(%x) {shape = (2, ?n, 3), axes = (1, 2)} : f32[2][?n][3]
  %t = sum(%c) {axes = (0, 1, 2), keep_axes = false} : f32
  %y = add(%b, %x) : f32[?n][3]
  %z = multiply(%b, %y) : f32[?n][3]
  %w = subtract(%z, %b) : f32[?n][3]
  return %b, %w, %t
}

func @broadcast_twice(%s: f64[?n], %x: f64[3][?n]) -> (f64[3][?n], f64[3][?n]) {
  %b = broadcast(%s) {shape = (3, ?n), axes = (1)} : f64[3][?n]
  %y = add(%b, %x) : f64[3][?n]
  %z = divide(%x, %b) : f64[3][?n]
  return %y, %z
}

func @stable_softmax_rows(%x: f32[3][?n]) -> f32[3][?n] {
  %m = reduce_max(%x) {axes = (1), keep_axes = true} : f32[3][1]
  %d = subtract(%x, %m) : f32[3][?n]
  %e = exp(%d) : f32[3][?n]
  %s = sum(%e) {axes = (1), keep_axes = true} : f32[3][1]
  %y = divide(%e, %s) : f32[3][?n]
  return %y
}
"""


@pytest.fixture(scope="module")
def module():
    return parse_module(SOURCE, "fused.nxir")


def _name(v):
    return v.owner.name


@pytest.mark.parametrize("fn, lazy", [
    ("fma_tanh", ["multiply", "add"]),
    # x - max is computed in exp's loop; exp, read by two loops, is written once.
    ("stable_softmax", ["subtract"]),
    # log is returned; the product is computed by log's loop and argmax's.
    ("half_chain", ["add", "as_type", "multiply"]),
    # exp reaches the sum's loop through negate and multiply: counted as two
    # evaluations, more than a costly op may have, so it is written once.
    ("diamond", ["negate", "multiply"]),
    # A cheap value may be computed in two loops.
    ("cheap_twice", ["multiply"]),
    # A value read inside a region is materialized.
    ("branch", []),
    # A broadcast read element by element is read through its map, never
    # copied; its operand, read repeatedly, is materialized (the row sum's
    # product is lazy in the sum's loop).
    ("scaled_rows", ["multiply", "broadcast"]),
    # A broadcast returned, reduced (an axis it adds would bound no loop) or
    # read by a lazy op is materialized; the add and the product are computed
    # in the subtraction's loop.
    ("broadcasts", ["add", "multiply"]),
    ("broadcast_twice", ["broadcast"]),
])
def test_plan(module, fn, lazy):
    assert sorted(_name(v) for v in fusion.plan(module.functions[fn]).lazy) == sorted(lazy)


@pytest.mark.parametrize("fn, written, in_place", [
    # A row sum keeps an axis: exp has a loop of its own (computing x - max
    # inline), which the division overwrites.
    ("stable_softmax", {}, {"divide": 0}),
    ("fma_tanh", {}, {}),
    # exp is first read by negate, an element-wise op: written by a loop of its own.
    ("diamond", {}, {}),
    # exp is first read inside a region.
    ("branch", {}, {}),
    ("softmax", {"exp": "sum"}, {"divide": 0}),
    # A returned value may be written by the reduction's loop; nothing may
    # overwrite it.
    ("exp_and_sum", {"exp": "sum"}, {}),
    # Only float sums and means into a scalar write their operand; the
    # division overwrites exp.
    ("over_max", {}, {"divide": 0}),
    ("kept_total", {}, {"divide": 0}),
    ("f16_softmax", {"exp": "sum"}, {"divide": 0}),
    ("centered", {"exp": "mean"}, {"subtract": 0}),
    # The written exp is read afterwards inside a region; a cond's result is
    # not overwritten.
    ("sum_then_branch", {"exp": "sum"}, {}),
    # The subtraction is lazy, the max is read broadcast: nothing overwritten.
    ("columns", {}, {}),
    # The product, read by three loops, is written once; the last add
    # overwrites it (its other operand is lazy).
    ("int_sum", {}, {"add": 1}),
])
def test_plan_written_and_in_place(module, fn, written, in_place):
    p = fusion.plan(module.functions[fn])
    assert {_name(v): r.name for v, r in p.written.items()} == written
    assert {op.name: k for op, k in p.in_place.items()} == in_place


def _inputs(fn, rng, n=7):
    """Arguments of `fn`, a symbolic dimension being `n` long."""
    out = []
    for t in fn.param_types:
        shape = tuple(d if isinstance(d, int) else n for d in t.shape)
        if t.dtype.is_int:
            out.append(rng.integers(0, 2, shape).astype(t.dtype.numpy))
        else:
            out.append((rng.standard_normal(shape) * 3).astype(t.dtype.numpy))
    return out


TOL = {"float16": 4e-3, "bfloat16": 2e-2, "float32": 2e-5, "float64": 1e-11}


def _agree(got, want):
    got = list(got) if isinstance(got, tuple) else [got]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g = np.asarray(g)
        assert g.dtype == w.dtype and g.shape == w.shape
        if w.dtype.kind in "iu":
            np.testing.assert_array_equal(g, w)
        else:
            tol = TOL[w.dtype.name]
            np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64),
                                       rtol=tol, atol=tol)


FUNCTIONS = ["fma_tanh", "stable_softmax", "half_chain", "diamond", "cheap_twice", "branch",
             "softmax", "exp_and_sum", "over_max", "kept_total", "f16_softmax", "centered",
             "columns", "int_sum", "sum_then_branch", "scaled_rows", "broadcasts", "broadcast_twice"]


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_fused_code_agrees_with_interpreter(build, module, fn):
    art = build(module)
    f = module.functions[fn]
    rng = np.random.default_rng(7)
    for n in (7, 1, 0):  # symbolic sizes: several, one, none
        args = _inputs(f, rng, n)
        with np.errstate(all="ignore"):
            want = run_function(f, *args)
        _agree(getattr(art, fn)(*args), want)


@pytest.fixture
def restore_threads():
    before = nxc.get_num_threads()
    yield
    nxc.set_num_threads(before)


# Long enough for parallel.py to split the loops (a symbolic size always is);
# not a multiple of the chunk or vector lengths.
LONG = 100_003


@pytest.mark.parametrize("fn", ["softmax", "exp_and_sum", "f16_softmax", "centered",
                                "stable_softmax_rows", "int_sum"])
def test_written_values_agree_and_do_not_depend_on_threads(build, module, restore_threads,
                                                           fn):
    """The written value and the reduction both right, bit for bit the same
    with 1, 2 and 3 threads."""
    art = build(module)
    f = module.functions[fn]
    args = _inputs(f, np.random.default_rng(3), LONG)
    with np.errstate(all="ignore"):
        want = run_function(f, *args)
    results = []
    for threads in (1, 2, 3):
        nxc.set_num_threads(threads)
        got = getattr(art, fn)(*args)
        _agree(got, want)
        results.append([np.asarray(g) for g in (got if isinstance(got, tuple) else (got,))])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(_bits(a), _bits(b))


def _bits(a):
    return a.reshape(-1).view(np.uint8)


def test_softmax_of_special_values(build, module, restore_threads):
    """NaN and infinities flow through the written exp and the sum as through
    the interpreter's: one NaN makes every quotient NaN, +inf makes its own
    NaN and the others 0, -inf gives an exact 0."""
    art = build(module)
    f = module.functions["exp_and_sum"]
    rng = np.random.default_rng(5)
    for special in (np.nan, np.inf, -np.inf):
        t = rng.standard_normal(LONG).astype(np.float32)
        t[[0, 777, LONG - 1]] = special
        for threads in (1, 2):
            nxc.set_num_threads(threads)
            with np.errstate(all="ignore"):
                want_e, want_s = run_function(f, t)
                e, s = art.exp_and_sum(t)
                y = art.softmax(t)
                want_y = run_function(module.functions["softmax"], t)[0]
            np.testing.assert_allclose(np.asarray(e), want_e, rtol=2.5e-7, atol=0)  # exp: 1 ulp
            np.testing.assert_array_equal(np.isnan(np.asarray(s)), np.isnan(want_s))
            np.testing.assert_array_equal(np.isnan(np.asarray(y)), np.isnan(want_y))
            finite = np.isfinite(want_y)
            np.testing.assert_allclose(np.asarray(y)[finite], want_y[finite], rtol=2e-5,
                                       atol=1e-30)
            if special == -np.inf:
                assert np.asarray(y)[777] == 0
