"""nx.vectorize / nx.devectorize: ops per entry, the union of vectorized axes, axis
arguments on the inner shape, names, control flow, and inside defn.

Oracles: numpy in float64 applied entry by entry (explicit loops or numpy
broadcasting written out by hand).
"""
import numpy as np
import pytest

import nxc as nx
from nxc._dispatch import apply, building
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module, walk
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.compiler.passes.batching import vectorized
from nxc.runtime.errors import AxisNameError, ShapeError

rng = np.random.default_rng(5)


def arr(t):
    return np.asarray(nx.devectorize(t))


def test_ops_apply_per_entry_and_axes_refer_to_the_inner_shape():
    x = rng.normal(size=(2, 3, 4))
    v = nx.vectorize(x, "rows")
    assert v.shape == (3, 4) and v.vectorized_axes == (("rows", 2),)
    s = nx.sum(v, axes=[0])
    assert s.shape == (4,) and s.vectorized_axes == (("rows", 2),)
    np.testing.assert_allclose(arr(s), x.sum(axis=1))
    np.testing.assert_allclose(arr(nx.reduce_max(v, axes=[-1])), x.max(axis=2))
    np.testing.assert_allclose(arr(nx.transpose(v)), x.transpose(0, 2, 1))
    np.testing.assert_allclose(arr(nx.reshape(v, (12,))), x.reshape(2, 12))
    np.testing.assert_array_equal(arr(nx.argmax(v, axis=1)), x.argmax(axis=2))
    np.testing.assert_allclose(arr(nx.exp(v) / nx.sum(nx.exp(v))),
                               np.exp(x) / np.exp(x).sum(axis=(1, 2), keepdims=True))


def test_axis_names_of_the_inner_shape_still_work():
    x = nx.tensor(rng.normal(size=(2, 3, 4)), names=[None, "rows", "cols"])
    v = nx.vectorize(x, "batch")
    assert v.names == ("rows", "cols")
    s = nx.sum(v, axes=["cols"])
    assert s.names == ("rows",)
    np.testing.assert_allclose(arr(s), np.asarray(x).sum(axis=2))


def test_different_vectorized_axes_combine_over_their_union():
    x, y = rng.normal(size=(2, 3)), rng.normal(size=(4, 3))
    z = nx.vectorize(x, "a") + nx.vectorize(y, "b")
    assert z.vectorized_axes == (("a", 2), ("b", 4)) and z.shape == (3,)
    np.testing.assert_allclose(arr(z), x[:, None, :] + y[None, :, :])
    # the result's axes follow the order in which operands bring them
    w = nx.vectorize(y, "b") * nx.vectorize(x, "a")
    assert w.vectorized_axes == (("b", 4), ("a", 2))
    np.testing.assert_allclose(arr(w), y[:, None, :] * x[None, :, :])


def test_a_vectorized_axis_of_size_one_broadcasts():
    x, y = rng.normal(size=(1, 3)), rng.normal(size=(4, 3))
    z = nx.vectorize(x, "a") - nx.vectorize(y, "a")
    assert z.vectorized_axes == (("a", 4),)
    np.testing.assert_allclose(arr(z), x - y)
    with pytest.raises(ShapeError, match="vectorized axis 'a' of size 2 with one of size 4"):
        nx.vectorize(rng.normal(size=(2, 3)), "a") + nx.vectorize(y, "a")


def test_several_axes_with_different_orders_in_the_operands():
    x = rng.normal(size=(2, 4, 3))  # [a][b] entries of [3]
    y = rng.normal(size=(4, 2, 3))  # [b][a]
    vx = nx.vectorize(x, ["a", "b"])
    vy = nx.vectorize(y, ["b", "a"])
    out = nx.sum(vx * vy)
    assert out.vectorized_axes == (("a", 2), ("b", 4))
    np.testing.assert_allclose(arr(out), (x * y.transpose(1, 0, 2)).sum(axis=2))


def test_dot_with_vectorized_and_shared_operands():
    xs, ws = rng.normal(size=(5, 3)), rng.normal(size=(5, 3, 2))
    w = rng.normal(size=(3, 2))
    v = nx.vectorize(xs, "n")
    np.testing.assert_allclose(arr(nx.dot(v, w)), xs @ w)
    np.testing.assert_allclose(arr(nx.dot(v, nx.vectorize(ws, "n"))),
                               np.einsum("nk,nkj->nj", xs, ws))
    np.testing.assert_allclose(arr(v @ w), xs @ w)


def test_vectorized_with_numbers_and_plain_tensors():
    x = np.arange(6, dtype=np.int8).reshape(2, 3)
    v = nx.vectorize(x, "r")
    out = 2 * v + nx.tensor([100, 0, 0], dtype=nx.s8)
    assert out.dtype == nx.s8
    np.testing.assert_array_equal(arr(out), (2 * x + [100, 0, 0]).astype(np.int8))
    np.testing.assert_array_equal(arr(v[1:]), x[:, 1:])


def test_devectorize_restores_named_axes_or_drops_the_names():
    x = rng.normal(size=(2, 3))
    v = nx.vectorize(x, "rows")
    assert nx.devectorize(v).names == ("rows", None)
    assert nx.devectorize(v, keep_names=False).names == (None, None)
    np.testing.assert_array_equal(arr(v), x)
    plain = nx.tensor(x)
    assert nx.devectorize(plain) is plain


def test_vectorize_errors():
    with pytest.raises(ShapeError, match="cannot vectorize f32"):
        nx.vectorize(nx.tensor(1.0), "a")
    v = nx.vectorize(rng.normal(size=(2, 3)), "a")
    with pytest.raises(AxisNameError, match="'a' is already a vectorized axis"):
        nx.vectorize(v, "a")
    with pytest.raises(ShapeError, match="one truth value per entry"):
        bool(v > 0)
    with pytest.raises(ShapeError, match="is out of range for tensor f64\\[3\\]"):
        nx.sum(v, axes=[1])  # the inner shape has one axis


# ---------------------------------------------------------------------------
# Inside functions being built: ordinary IR, nothing left to expand
# ---------------------------------------------------------------------------

@nx.defn
def scaled_rows(x, w):
    v = nx.vectorize(x, "rows")
    y = nx.sum(v * w, axes=[0]) + 1
    return nx.devectorize(y)


def test_vectorize_inside_defn():
    x, w = rng.normal(size=(2, 3)), rng.normal(size=3)
    out = scaled_rows(x, w)
    assert out.names == ("rows",)
    np.testing.assert_allclose(np.asarray(out), (x * w).sum(axis=1) + 1)
    fn = scaled_rows.specialize(x, w).function
    verify_function(fn)


def build(types, body):
    b = Builder()
    fn = b.function(Module(), "f", list(types))
    with building(b), b.at(fn.body):
        out = body(b, *fn.params)
        b.terminate("return", out)
    verify_function(fn)
    return fn


def test_vectorized_cond_selects_per_entry():
    # where x > 0: x * 2, else: -x, for each entry of x (a vectorized scalar)
    def body(b, x):
        v = nx.vectorize(x, "n")
        (out,) = vectorized.cond(apply, b, v > 0, lambda: [v * 2], lambda: [-v])
        return [nx.devectorize(out)]
    fn = build([TensorType(nx.f32, (4,))], body)
    assert "cond" not in [op.name for op in walk(fn.body)]
    x = np.array([1.5, -2.0, 0.0, 3.0], np.float32)
    np.testing.assert_array_equal(run_function(fn, x)[0], np.where(x > 0, 2 * x, -x))


@pytest.mark.parametrize("p", [1, 0])
def test_shared_predicate_cond_with_vectorized_branches(p):
    def body(b, x, pred):
        v = nx.vectorize(x, "n")
        (out,) = vectorized.cond(apply, b, pred, lambda: [nx.sum(v)],
                                    lambda: [nx.tensor(-1.0, dtype=nx.f64)])
        assert out.vectorized_axes == (("n", 2),)
        return [nx.devectorize(out)]
    fn = build([TensorType(nx.f64, (2, 3)), TensorType(nx.u8, ())], body)
    x = rng.normal(size=(2, 3))
    want = x.sum(axis=1) if p else [-1.0, -1.0]
    np.testing.assert_allclose(run_function(fn, x, np.uint8(p))[0], want)


def doubling_loop(b, x, limit):
    """(x, steps) after `while x < limit: x = 2 x + 1; steps += 1`, per entry of x."""
    v = nx.vectorize(x, "n")
    steps = nx.tensor(0)
    return vectorized.while_loop(
        apply, b, [v, steps, limit],
        lambda x, k, lim: x < lim,
        lambda x, k, lim: [x * 2 + 1, nx.add(k, 1), lim])


def test_vectorized_while_entries_finish_at_different_iterations():
    def body(b, x, limit):
        x_end, steps, lim = doubling_loop(b, x, limit)
        assert steps.vectorized_axes == (("n", 5),) and not isinstance(lim, vectorized.Vectorized)
        return [nx.devectorize(x_end), nx.devectorize(steps)]
    fn = build([TensorType(nx.f32, (5,)), TensorType(nx.f32, ())], body)
    x = np.array([150.0, 1.0, 10.0, 0.5, 99.0], np.float32)
    x_end, steps = run_function(fn, x, np.float32(100.0))
    want_x, want_steps = [], []
    for e in x:  # the loop, entry by entry
        k = 0
        while e < 100:
            e, k = np.float32(e * 2 + 1), k + 1
        want_x.append(e)
        want_steps.append(k)
    np.testing.assert_array_equal(steps, want_steps)
    np.testing.assert_array_equal(x_end, want_x)


def test_vectorized_while_eagerly():
    x = nx.vectorize(np.array([150.0, 1.0, 10.0], np.float32), "n")
    x_end, steps, _ = vectorized.while_loop(
        apply, None, [x, nx.tensor(0), nx.tensor(100.0)],
        lambda x, k, lim: x < lim, lambda x, k, lim: [x * 2 + 1, k + 1, lim])
    np.testing.assert_array_equal(arr(steps), [0, 6, 4])
    np.testing.assert_array_equal(arr(x_end), [150.0, 127.0, 175.0])


def test_while_state_that_the_body_vectorizes_is_vectorized_from_the_start():
    # acc starts shared (0) and adds the vectorized x each step: acc is vectorized.
    def body(b, x):
        v = nx.vectorize(x, "n")
        _, acc = vectorized.while_loop(apply, b, [nx.tensor(0), nx.tensor(0.0, dtype=nx.f64)],
                                       lambda i, acc: nx.less(i, 3),
                                       lambda i, acc: [nx.add(i, 1), acc + v])
        return [nx.devectorize(acc)]
    fn = build([TensorType(nx.f64, (3,))], body)
    x = rng.normal(size=3)
    np.testing.assert_allclose(run_function(fn, x)[0], 3 * x)
