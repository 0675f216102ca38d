"""Batching cond, while, for and custom_grad, against a loop over the entries.

A cond whose predicate differs between entries becomes a select of both
branches; a while whose condition differs runs until every entry is done and
freezes the finished ones; loop state that the body makes batched is batched
from the start.
"""
import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.core import Block, walk
from nxc.compiler.ir.interpreter import run_block, run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.compiler.passes.batching import vmap_function

from batching_util import assert_same, function, loop_oracle

F32, S32 = TensorType(T.f32, ()), TensorType(T.s32, ())
V3 = TensorType(T.f32, (3,))


def region(b, arg_types, body):
    block = Block(arg_types)
    with b.at(block):
        out = body(*block.args)
        b.terminate("yield", out if isinstance(out, list) else [out])
    return block


def check_vmap(fn, in_axes, args, size):
    v = vmap_function(fn, in_axes, axis_size=size)
    verify_function(v)
    got = run_function(v, *args)
    want = loop_oracle(fn, args, in_axes, size)
    for g, w, t in zip(got, want, fn.result_types):
        assert_same(g, w, t.dtype, f"in_axes={in_axes}")
    return v


def op_names(fn):
    return [op.name for op in walk(fn.body)]


def ops_named(fn, name):
    return [op for op in walk(fn.body) if op.name == name]


# ---------------------------------------------------------------------------
# cond
# ---------------------------------------------------------------------------

def piecewise(b, x, t):
    """t > 0 ? (x * 2 + t, 1) : (exp(x) - t, x): the second result is unbatched in one branch."""
    then = region(b, [], lambda: [b.op("add", b.op("multiply", x, 2.0), t),
                                  b.op("broadcast", b.constant(1.0, "f32"), shape=(3,))])
    other = region(b, [], lambda: [b.op("subtract", b.op("exp", x), t), x])
    return b.op("cond", b.op("greater", t, 0.0), regions=[then, other])


def test_cond_with_a_batched_predicate_selects_per_entry():
    fn = function([V3, F32], piecewise)
    x = np.arange(3, dtype=np.float32)
    t = np.array([1.5, -2.0, 0.0, 3.0], np.float32)
    v = check_vmap(fn, (None, 0), [x, t], 4)
    assert "cond" not in op_names(v) and "select" in op_names(v)
    v = check_vmap(fn, (0, 0), [np.arange(12, dtype=np.float32).reshape(4, 3) / 4, t], 4)
    assert "cond" not in op_names(v)


@pytest.mark.parametrize("t", [1.5, -2.0])
def test_cond_with_a_shared_predicate_stays_a_cond(t):
    fn = function([V3, F32], piecewise)
    xs = np.arange(12, dtype=np.float32).reshape(3, 4) - 5  # batch on the last axis
    v = check_vmap(fn, (1, None), [xs, np.float32(t)], 4)
    (c,) = ops_named(v, "cond")
    # Both branches yield batched results, the constant one broadcast.
    assert c.result_types == [TensorType(T.f32, (4, 3))] * 2


def test_cond_capturing_only_a_batched_value_is_batched():
    # The predicate is shared; the batched argument is only read inside a branch.
    def body(b, x, p):
        then = region(b, [], lambda: b.op("sum", x))
        other = region(b, [], lambda: b.constant(-1.0, "f32"))
        return b.op("cond", p, regions=[then, other])
    fn = function([V3, TensorType(T.u8, ())], body)
    xs = np.arange(6, dtype=np.float32).reshape(2, 3)
    for p in (1, 0):
        check_vmap(fn, (0, None), [xs, np.uint8(p)], 2)


# ---------------------------------------------------------------------------
# while
# ---------------------------------------------------------------------------

def doubling(b, x, limit):
    """(x, steps, limit) after `while x < limit: x = 2 x + 1; steps += 1`."""
    test = region(b, [F32, S32, F32], lambda x, n, lim: b.op("less", x, lim))
    body = region(b, [F32, S32, F32],
                  lambda x, n, lim: [b.op("add", b.op("multiply", x, 2.0), 1.0),
                                     b.op("add", n, 1), lim])
    return b.op("while", x, b.constant(0, "s32"), limit, regions=[test, body])


def test_while_entries_finish_at_different_iterations():
    fn = function([F32, F32], doubling)
    x = np.array([150.0, 1.0, 10.0, 0.5, 99.0], np.float32)  # 0, 6, 4, 7 and 1 steps
    v = check_vmap(fn, (0, None), [x, np.float32(100.0)], 5)
    (loop,) = ops_named(v, "while")
    # Every state entry the body changes is batched; the limit it passes through is not.
    assert [t.shape for t in loop.result_types] == [(5,), (5,), ()]
    assert loop.regions[0].ops[-2].name == "any"  # runs while some entry is not done
    _, steps, _ = run_function(v, x, np.float32(100.0))
    np.testing.assert_array_equal(steps, [0, 6, 4, 7, 1])


def test_while_with_a_batched_limit():
    fn = function([F32, F32], doubling)
    limits = np.array([0.0, 5.0, 1000.0], np.float32)
    check_vmap(fn, (None, 0), [np.float32(1.0), limits], 3)


def test_while_with_a_shared_condition_batches_the_state_the_body_batches():
    # acc starts as the constant 0 but the body adds the batched x: acc is batched.
    def body(b, x, n):
        test = region(b, [S32, F32], lambda i, acc: b.op("less", i, n))
        step = region(b, [S32, F32], lambda i, acc: [b.op("add", i, 1), b.op("add", acc, x)])
        return b.op("while", b.constant(0, "s32"), b.constant(0.0, "f32"), regions=[test, step])
    fn = function([F32, S32], body)
    v = check_vmap(fn, (0, None), [np.array([1.0, -2.0, 0.5], np.float32), np.int32(4)], 3)
    (loop,) = ops_named(v, "while")
    assert [t.shape for t in loop.result_types] == [(), (3,)]
    assert loop.regions[0].ops[-2].name != "any"


def collatz(b, n):
    """The number of Collatz steps from n to 1: a batched cond inside a batched while."""
    def step(m, k):
        even = b.op("equal", b.op("remainder", m, 2), 0)
        half = region(b, [], lambda: b.op("quotient", m, 2))
        triple = region(b, [], lambda: b.op("add", b.op("multiply", m, 3), 1))
        return [b.op("cond", even, regions=[half, triple]), b.op("add", k, 1)]
    test = region(b, [S32, S32], lambda m, k: b.op("greater", m, 1))
    body = region(b, [S32, S32], step)
    return b.op("while", n, b.constant(0, "s32"), regions=[test, body])[1]


def test_nested_batched_cond_inside_batched_while():
    fn = function([S32], collatz)
    n = np.array([1, 6, 7, 27, 2], np.int32)
    v = check_vmap(fn, 0, [n], 5)
    np.testing.assert_array_equal(run_function(v, n)[0], [0, 8, 16, 111, 1])
    assert "cond" not in op_names(v)


def test_while_inside_a_cond_with_a_batched_predicate():
    # p ? collatz(n) : -n, both branches run for every entry.
    def body(b, n):
        then = region(b, [], lambda: collatz(b, n))
        other = region(b, [], lambda: b.op("negate", n))
        return b.op("cond", b.op("less", n, 10), regions=[then, other])
    fn = function([S32], body)
    check_vmap(fn, 0, [np.array([3, 12, 1, 9], np.int32)], 4)


# ---------------------------------------------------------------------------
# for
# ---------------------------------------------------------------------------

def test_for_batches_its_state():
    # acc = acc * x + i for i in 1..4, acc from the shared constant 0.
    def body(b, x):
        step = region(b, [S32, F32], lambda i, acc: b.op(
            "add", b.op("multiply", acc, x), b.op("as_type", i, type="f32")))
        return b.op("for", b.constant(0.0, "f32"), start=1, stop=5, regions=[step])
    fn = function([F32], body)
    v = check_vmap(fn, 0, [np.array([0.5, 2.0, -1.0], np.float32)], 3)
    (loop,) = ops_named(v, "for")
    assert loop.regions[0].args[0].type == S32  # the index stays a scalar


def test_for_with_batched_state_and_shared_operand():
    def body(b, x, w):
        step = region(b, [S32, V3], lambda i, acc: b.op("add", b.op("multiply", acc, w), x))
        return b.op("for", x, start=0, stop=3, regions=[step])
    fn = function([V3, V3], body)
    xs = np.arange(6, dtype=np.float32).reshape(3, 2) / 3  # batched on axis 1
    check_vmap(fn, (1, None), [xs, np.array([1.0, -0.5, 2.0], np.float32)], 2)


# ---------------------------------------------------------------------------
# custom_grad
# ---------------------------------------------------------------------------

def test_custom_grad_keeps_a_gradient_rule_per_entry():
    # value = x * w with the rule g -> (2 g, g * x) for (x, w); x batched, w shared.
    def body(b, x, w):
        grads = region(b, [V3], lambda g: [b.op("multiply", g, 2.0), b.op("multiply", g, x)])
        return b.op("custom_grad", b.op("multiply", x, w), x, w, regions=[grads])
    fn = function([V3, V3], body)
    xs = np.arange(6, dtype=np.float32).reshape(2, 3)
    w = np.array([1.0, 2.0, 3.0], np.float32)
    v = check_vmap(fn, (0, None), [xs, w], 2)
    (op,) = ops_named(v, "custom_grad")
    g = np.array([[1.0, 1.0, 1.0], [0.5, -1.0, 2.0]], np.float32)
    env = {p: a for p, a in zip(v.params, [xs, w])}
    dx, dw = run_block(op.regions[0], {**env, op.regions[0].args[0]: g})
    np.testing.assert_allclose(dx, 2 * g)
    # w is shared by the entries: its gradient is the sum of theirs.
    np.testing.assert_allclose(dw, (g * xs).sum(axis=0))
