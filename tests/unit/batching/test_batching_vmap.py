"""vmap_function: JAX's conventions for in_axes/out_axes, batch sizes, nesting, names, the pass."""
import io

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.parser import parse_module
from nxc.compiler.ir.printer import print_module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.compiler.passes.base import PassManager
from nxc.compiler.passes.batching import BatchingPass, VmapRequest, vmap_function, vmap_into
from nxc.runtime.errors import ArgumentError, AxisNameError, ShapeError

from batching_util import assert_same, function, loop_oracle

rng = np.random.default_rng(7)


def affine(b, x, w, c):
    """softmax(x @ w + c): a dot, a broadcast add and two reductions."""
    y = b.op("add", b.op("dot", x, w), c)
    e = b.op("exp", b.op("subtract", y, b.op("reduce_max", y)))
    return b.op("divide", e, b.op("sum", e))


AFFINE = [TensorType(T.f64, (3,)), TensorType(T.f64, (3, 4)), TensorType(T.f64, (4,))]


def data(*shapes):
    return [rng.normal(size=s) for s in shapes]


@pytest.mark.parametrize("in_axes, shapes", [
    ((0, None, None), [(5, 3), (3, 4), (4,)]),
    ((1, None, 0), [(3, 5), (3, 4), (5, 4)]),
    ((None, 2, None), [(3,), (3, 4, 5), (4,)]),
    ((-1, 1, -2), [(3, 5), (3, 5, 4), (5, 4)]),
])
def test_in_axes_per_argument(in_axes, shapes):
    fn = function(AFFINE, affine)
    args = data(*shapes)
    v = vmap_function(fn, in_axes, axis_size=5)
    verify_function(v)
    assert_same(run_function(v, *args)[0], loop_oracle(fn, args, in_axes, 5)[0], T.f64)


@pytest.mark.parametrize("out_axes", [0, 1, -1])
def test_out_axes(out_axes):
    fn = function([TensorType(T.f64, (2, 3))], lambda b, x: b.op("sin", x))
    (x,) = data((4, 2, 3))
    v = vmap_function(fn, 0, out_axes, axis_size=4)
    want = np.stack([np.sin(e) for e in x], axis=out_axes)
    assert_same(run_function(v, x)[0], want, T.f64)


def test_out_axes_per_result_and_none_for_a_shared_result():
    fn = function([TensorType(T.f64, (3,)), TensorType(T.f64, (3,))],
                  lambda b, x, w: [b.op("multiply", x, w), b.op("sum", w)])
    x, w = data((3, 2), (3,))
    v = vmap_function(fn, (1, None), (1, None), axis_size=2)
    prod, total = run_function(v, x, w)
    assert_same(prod, x * w[:, None], T.f64)
    assert total.shape == () and np.isclose(total, w.sum())


def test_a_shared_result_is_broadcast_to_the_batch():
    fn = function([TensorType(T.f64, (3,)), TensorType(T.f64, ())],
                  lambda b, x, c: [b.op("exp", x), b.op("negate", c)])
    x, c = data((2, 3), ())
    v = vmap_function(fn, (0, None), axis_size=2)
    assert v.result_types[1] == TensorType(T.f64, (2,))
    np.testing.assert_array_equal(run_function(v, x, c)[1], [-c, -c])


def test_nothing_batched_needs_a_static_size():
    fn = function([TensorType(T.f32, (2,))], lambda b, x: b.op("iota", type=TensorType(T.s32, (2,))))
    v = vmap_function(fn, None, axis_size=3)
    np.testing.assert_array_equal(run_function(v, np.zeros(2, np.float32))[0], [[0, 1]] * 3)
    with pytest.raises(ArgumentError, match="symbolic, but no argument is batched"):
        vmap_function(fn, None)


def test_symbolic_batch_size_by_default_and_by_name():
    fn = function(AFFINE, affine)
    v = vmap_function(fn, (0, None, None))
    assert v.param_types[0] == TensorType(T.f64, (Dim("batch"), 3))
    assert v.result_types == [TensorType(T.f64, (Dim("batch"), 4))]
    v = vmap_function(fn, (0, None, None), axis_size="rows")
    assert v.result_types == [TensorType(T.f64, (Dim("rows"), 4))]
    for n in (1, 6):  # one function for every batch size
        args = data((n, 3), (3, 4), (4,))
        assert_same(run_function(v, *args)[0], loop_oracle(fn, args, (0, None, None), n)[0], T.f64)


def test_nested_vmap():
    # f(x, w) = x @ w for x: [3], w: [3, 4]; the inner vmap batches x, the outer w.
    fn = function([TensorType(T.f64, (3,)), TensorType(T.f64, (3, 4))],
                  lambda b, x, w: b.op("tanh", b.op("dot", x, w)))
    inner = vmap_function(fn, (0, None))
    outer = vmap_function(inner, (None, 2), out_axes=1)
    verify_function(outer)
    assert [str(t) for t in outer.param_types] == ["f64[?batch][3]", "f64[3][4][?batch_1]"]
    assert str(outer.result_types[0]) == "f64[?batch][?batch_1][4]"
    x, w = data((5, 3), (3, 4, 2))
    want = np.stack([np.stack([np.tanh(x[i] @ w[..., j]) for j in range(2)]) for i in range(5)])
    assert_same(run_function(outer, x, w)[0], want, T.f64)


def test_names_propagate_and_the_batch_axis_can_be_named():
    feats = TensorType(T.f32, (3, 4), ("rows", "features"))

    def body(b, x):
        s = b.op("sum", x, axes=("features",))   # f32[rows: 3]
        t = b.op("transpose", x)                 # f32[features: 4][rows: 3]
        return [s, b.op("add", t, b.op("new_axis", s, axis=0))]

    fn = function([feats], body)
    v = vmap_function(fn, 1, axis_size=2, axis_name="batch")
    assert str(v.param_types[0]) == "f32[rows: 3][batch: 2][features: 4]"
    assert [str(t) for t in v.result_types] == ["f32[batch: 2][rows: 3]",
                                                "f32[batch: 2][features: 4][rows: 3]"]
    x = rng.normal(size=(3, 2, 4)).astype(np.float32)
    for g, w in zip(run_function(v, x), loop_oracle(fn, [x], [1], 2)):
        assert_same(g, w, T.f32)


def test_batch_axes_with_different_names_do_not_merge():
    inner = function([TensorType(T.f32, (3,))] * 2, lambda b, x, y: b.op("add", x, y))
    with pytest.raises(AxisNameError, match=r"batched axes have different names \['a', 'b'\]"):
        function([TensorType(T.f32, (2, 3), ("a", None)), TensorType(T.f32, (2, 3), ("b", None))],
                 lambda b, x, y: vmap_into(b, inner, [x, y], 0))


@pytest.mark.parametrize("in_axes, size, error, match", [
    ((0,), 2, ArgumentError, r"in_axes has 1 entries for 2 argument"),
    ((0, 3), 2, ShapeError, r"in_axes entry 1 3 is out of range .* rank 3 \(expected -3 to 2\)"),
    ("rows", 2, ArgumentError, r"in_axes must be an int, None, or a tuple"),
    ((0, 0), -1, ArgumentError, r"axis_size must be a size >= 0"),
])
def test_bad_options(in_axes, size, error, match):
    fn = function([TensorType(T.f32, (3,)), TensorType(T.f32, (2, 3))],
                  lambda b, x, y: b.op("add", x, y))
    with pytest.raises(error, match=match):
        vmap_function(fn, in_axes, axis_size=size)


def test_a_shared_result_cannot_have_a_batched_out_axis_none():
    fn = function([TensorType(T.f32, (3,))], lambda b, x: b.op("exp", x))
    with pytest.raises(ShapeError, match="result 0 differs between entries .* out_axes gives None"):
        vmap_function(fn, 0, None, axis_size=2)


def test_batched_sizes_must_agree_inline():
    inner = function([TensorType(T.f32, (3,))] * 2, lambda b, x, y: b.op("add", x, y))
    with pytest.raises(ShapeError, match=r"batched axes have different sizes \['2', '4'\]"):
        function([TensorType(T.f32, (2, 3)), TensorType(T.f32, (4, 3))],
                 lambda b, x, y: vmap_into(b, inner, [x, y], 0))
    with pytest.raises(ShapeError, match=r"argument 1 is f32\[3\]\[4\], without axis 0, f32\[4\]"):
        function([TensorType(T.f32, (2, 3)), TensorType(T.f32, (3, 4))],
                 lambda b, x, y: vmap_into(b, inner, [x, y], 0))


def test_the_pass_adds_vmapped_functions_that_print_and_parse():
    m = Module()
    fn = function(AFFINE, affine)
    m.add(fn)
    out = io.StringIO()
    m = PassManager([BatchingPass([VmapRequest("f", "f_batched", in_axes=(0, None, None),
                                               axis_size="n")])],
                    verify=True, print_after=["vectorize"], out=out).run(m)
    assert "func @f_batched(%0: f64[?n][3]" in out.getvalue()
    text = print_module(m)
    assert print_module(parse_module(text, "m.nxir")) == text
    with pytest.raises(ArgumentError, match="has no such function"):
        BatchingPass([VmapRequest("g", "g_batched")]).run(m)
