"""Fused element-wise chains (compiler/codegen/fusion.py): which values stay lazy,
and that fused code computes what the interpreter computes, value by value."""
import numpy as np
import pytest

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
])
def test_plan(module, fn, lazy):
    assert sorted(_name(v) for v in fusion.plan(module.functions[fn])) == sorted(lazy)


def _inputs(fn, rng):
    out = []
    for t in fn.param_types:
        shape = tuple(t.shape)
        if t.dtype.is_int:
            out.append(rng.integers(0, 2, shape).astype(t.dtype.numpy))
        else:
            out.append((rng.standard_normal(shape) * 3).astype(t.dtype.numpy))
    return out


TOL = {"float16": 4e-3, "bfloat16": 2e-2, "float32": 2e-5, "float64": 1e-11}


@pytest.mark.parametrize("fn", ["fma_tanh", "stable_softmax", "half_chain", "diamond",
                                "cheap_twice", "branch"])
def test_fused_code_agrees_with_interpreter(build, module, fn):
    art = build(module)
    f = module.functions[fn]
    rng = np.random.default_rng(7)
    for _ in range(3):
        args = _inputs(f, rng)
        got = getattr(art, fn)(*args)
        got = list(got) if isinstance(got, tuple) else [got]
        with np.errstate(all="ignore"):
            want = run_function(f, *args)
        for g, w in zip(got, want):
            g = np.asarray(g)
            assert g.dtype == w.dtype and g.shape == w.shape
            if w.dtype.kind in "iu":
                np.testing.assert_array_equal(g, w)
            else:
                tol = TOL[w.dtype.name]
                np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64),
                                           rtol=tol, atol=tol)
