"""Gradients through cond, for and while whose bodies depend on the variable
(Nx's bug class #1747), checked against finite differences; the cost of loop
gradients (each body runs a constant number of times per iteration); and the
gradient of gradients through loops."""
import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.core import Loc, walk
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.passes.grad import grad_function
from nxc.runtime.errors import ArgumentError, CompileError

from gradutil import (check_gradients, cond, f64, for_loop, function, second_order,
                      while_loop)

S32 = TensorType(T.s32, ())


def op_names(fn):
    return [op.name for op in walk(fn.body)]


# ---------------------------------------------------------------------------
# cond
# ---------------------------------------------------------------------------

def _branchy(b, x, y):
    """sum(x) > 0 ? sum(sin(x) * y) : sum(x * x) + y[0]; both branches use outer values."""
    pred = b.op("greater", b.op("sum", x), 0.0)
    (r,) = cond(b, pred,
                lambda b: [b.op("sum", b.op("multiply", b.op("sin", x), y))],
                lambda b: [b.op("add", b.op("sum", b.op("multiply", x, x)),
                                b.op("sum", b.op("slice", y, start_indices=(0,),
                                                 lengths=(1,))))])
    return r


@pytest.mark.parametrize("x", [[0.3, 0.9, -0.2], [-0.5, 0.1, -0.7]])
def test_cond_both_branches(x):
    fn = function([f64(3), f64(3)], _branchy)
    check_gradients(fn, [np.array(x), np.array([1.5, -0.5, 2.0])], [0, 1])


def test_cond_branch_without_the_variable_gives_zero():
    def body(b, x, p):
        (r,) = cond(b, p, lambda b: [b.op("exp", x)],
                    lambda b: [b.op("broadcast", b.constant(2.0, T.f64), shape=(2,))])
        return b.op("sum", r)
    fn = function([f64(2), TensorType(T.u8, ())], body)
    for p, want in ((1, np.exp([0.5, 1.0])), (0, [0.0, 0.0])):
        (g,) = run_function(grad_function(fn), np.array([0.5, 1.0]), np.uint8(p))
        np.testing.assert_allclose(g, want)


def test_cond_with_several_results_one_used():
    def body(b, x):
        r, s = cond(b, b.op("less", b.op("sum", x), 10.0),
                    lambda b: [b.op("cos", x), b.op("exp", x)],
                    lambda b: [x, x])
        return b.op("sum", r)
    check_gradients(function([f64(3)], body), [np.array([0.1, 0.2, 0.3])], [0])


def test_second_derivative_through_cond():
    fn = function([f64(3), f64(3)], _branchy)
    args = [np.array([0.3, 0.9, -0.2]), np.array([1.5, -0.5, 2.0])]
    check_gradients(second_order(fn, [0, 1], [np.array([1.0, -2.0, 0.5])] * 2), args, [0, 1])


# ---------------------------------------------------------------------------
# for
# ---------------------------------------------------------------------------

def _recurrence(start, stop, step=1):
    """s = s * x + sin(s) * i for i in range(...), over a vector state and an int counter."""
    def body(b, x, s0):
        def step_fn(b, i, s, k):
            fi = b.op("as_type", i, type=T.f64)
            s = b.op("add", b.op("multiply", s, x), b.op("multiply", b.op("sin", s), fi))
            return [s, b.op("add", k, 1)]
        s, _ = for_loop(b, [s0, b.constant(0, T.s32)], start, stop, step_fn, step)
        return b.op("sum", s)
    return function([f64(2), f64(2)], body)


@pytest.mark.parametrize("start, stop, step", [(0, 5, 1), (1, 8, 3), (4, -2, -2), (3, 3, 1)])
def test_for_loop_body_depending_on_the_variable(start, stop, step):
    fn = _recurrence(start, stop, step)
    check_gradients(fn, [np.array([0.9, -0.4]), np.array([0.3, 0.7])], [0, 1])


@pytest.mark.parametrize("start, stop, step", [(0, 7, 1), (1, 10, 2), (6, -1, -2)])
@pytest.mark.parametrize("segment_size", [1, 3, 4, 50])
def test_for_loop_recomputed_in_segments(start, stop, step, segment_size):
    fn = _recurrence(start, stop, step)
    check_gradients(fn, [np.array([0.9, -0.4]), np.array([0.3, 0.7])], [0, 1],
                    segment_size=segment_size)


def test_segment_size_is_checked():
    with pytest.raises(ArgumentError, match="segment_size must be an int >= 1, got 0"):
        grad_function(_recurrence(0, 3), segment_size=0)


def test_for_loop_zero_iterations_passes_the_gradient_through():
    (gx, gs) = run_function(grad_function(_recurrence(3, 3), (0, 1)), np.ones(2), np.ones(2))
    assert gx.tolist() == [0.0, 0.0] and gs.tolist() == [1.0, 1.0]


def test_for_loop_result_unused_by_the_loss():
    def body(b, x):
        (s,) = for_loop(b, [x], 0, 3, lambda b, i, s: [b.op("exp", s)])
        return b.op("sum", b.op("multiply", x, 2.0))
    fn = function([f64(2)], body)
    g = grad_function(fn)
    assert "for" not in op_names(g)
    assert run_function(g, np.ones(2))[0].tolist() == [2.0, 2.0]


def test_nested_for_loops():
    def body(b, x):
        def outer(b, i, s):
            (t,) = for_loop(b, [s], 0, 3, lambda b, j, t: [b.op("sin", b.op("multiply", t, x))])
            return [b.op("add", t, s)]
        (s,) = for_loop(b, [x], 0, 4, outer)
        return b.op("sum", s)
    check_gradients(function([f64(2)], body), [np.array([0.7, -1.1])], [0])


def test_cond_inside_a_for_loop():
    def body(b, x):
        def step(b, i, s):
            odd = b.op("equal", b.op("remainder", i, 2), 1)
            return cond(b, odd, lambda b: [b.op("multiply", s, x)], lambda b: [b.op("tanh", s)])
        (s,) = for_loop(b, [x], 0, 5, step)
        return b.op("sum", s)
    check_gradients(function([f64(3)], body), [np.array([0.5, 1.2, -0.8])], [0])


@pytest.mark.parametrize("segment_size", [None, 2])
def test_second_derivative_through_a_for_loop(segment_size):
    fn = _recurrence(0, 5)
    args = [np.array([0.9, -0.4]), np.array([0.3, 0.7])]
    weights = [np.array([1.0, 0.5]), np.array([-1.0, 2.0])]
    check_gradients(second_order(fn, [0, 1], weights, segment_size=segment_size), args, [0, 1],
                    segment_size=segment_size)


# ---------------------------------------------------------------------------
# while
# ---------------------------------------------------------------------------

def _counted(b, x, n):
    """s = s * x + 0.1 * s * s, n times (n is an argument: the trip count is dynamic)."""
    def step(b, s, k):
        s = b.op("add", b.op("multiply", s, x), b.op("multiply", b.op("multiply", s, s), 0.1))
        return [s, b.op("add", k, 1)]
    s, _ = while_loop(b, [x, b.constant(0, T.s32)], lambda b, s, k: b.op("less", k, n), step)
    return b.op("sum", s)


@pytest.mark.parametrize("max_iters", [None, 2, 0])
@pytest.mark.parametrize("n", [0, 1, 5])
def test_while_loop_with_a_dynamic_trip_count(n, max_iters):
    # max_iters=2 saves two states and recomputes the others; 0 recomputes all.
    fn = function([f64(3), S32], _counted)
    check_gradients(fn, [np.array([0.9, 1.1, -0.5]), np.int32(n)], [0], max_iters=max_iters)


def test_while_condition_depending_on_the_variable():
    # Doubles-and-shifts until the sum exceeds 10: the trip count depends on x.
    def body(b, x):
        (s,) = while_loop(b, [x], lambda b, s: b.op("less", b.op("sum", s), 10.0),
                          lambda b, s: [b.op("add", b.op("multiply", s, x), 0.5)])
        return b.op("sum", b.op("multiply", s, s))
    check_gradients(function([f64(2)], body), [np.array([1.3, 1.6])], [0])


def test_second_derivative_through_a_while_loop():
    fn = function([f64(3), S32], _counted)
    args = [np.array([0.9, 1.1, -0.5]), np.int32(3)]
    check_gradients(second_order(fn, [0], [np.array([1.0, -1.0, 0.5])]), args, [0])


def test_max_iters_is_checked():
    with pytest.raises(ArgumentError, match="max_iters must be an int >= 0"):
        grad_function(function([f64(3), S32], _counted), max_iters=-1)


# ---------------------------------------------------------------------------
# Cost: each iteration's body runs a constant number of times
# ---------------------------------------------------------------------------

def _count_calls(monkeypatch, name):
    calls = [0]
    op = registry.get(name)
    ref = op.ref

    def counting(*args, **kw):
        calls[0] += 1
        return ref(*args, **kw)
    monkeypatch.setattr(op, "ref", counting)
    return calls


def _sin_loop(kind, n):
    def body(b, x):
        step = lambda b, s: [b.op("multiply", b.op("sin", s), x)]  # noqa: E731
        if kind == "for":
            (s,) = for_loop(b, [x], 0, n, lambda b, i, s: step(b, s))
        else:
            s, _ = while_loop(b, [x, b.constant(0, T.s32)],
                              lambda b, s, k: b.op("less", k, n),
                              lambda b, s, k: step(b, s) + [b.op("add", k, 1)])
        return b.op("sum", s)
    return function([f64(2)], body)


@pytest.mark.parametrize("kind, options, calls", [
    ("for", {}, 2 * 40),  # the forward pass, then once per backward iteration
    ("for", {"segment_size": 7}, 3 * 40),  # and once more to recompute the segments
    ("while", {}, 2 * 40),
    ("while", {"max_iters": 10}, 2 * 40 + sum(range(1, 31))),  # past row 10: from row 9
    # Nx's strategy: every state from the start (the forward pass only counts)
    ("while", {"max_iters": 0}, 40 + sum(range(40))),
])
def test_loop_gradient_cost(monkeypatch, kind, options, calls):
    g = grad_function(_sin_loop(kind, 40), **options)
    counter = _count_calls(monkeypatch, "sin")
    run_function(g, np.array([0.5, 0.9]))
    assert counter[0] == calls


def test_saved_state_is_only_what_the_backward_pass_reads():
    # The counter k is state, but no derivative needs its value: no buffer for it.
    fn = _recurrence(0, 5)
    g = grad_function(fn, 0)
    put_rows = [op for op in walk(g.body) if op.name == "put_row"]
    assert len(put_rows) == 1 and put_rows[0].operands[2].type == f64(2)


def test_state_that_does_not_depend_on_the_variable_is_not_differentiated():
    # The counter k and the cond's second result do not depend on x: the
    # quotients of them need no gradient, so they are not an error.
    def body(b, x):
        s, k = for_loop(b, [x, b.constant(0, T.s32)], 0, 3,
                        lambda b, i, s, k: [b.op("sin", s), b.op("add", k, i)])
        r, m = cond(b, b.op("greater", b.op("sum", s), 0.0),
                    lambda b: [b.op("exp", s), b.constant(7, T.s32)],
                    lambda b: [s, b.constant(9, T.s32)])
        scale = b.op("as_type", b.op("add", b.op("quotient", k, 2), b.op("quotient", m, 2)),
                     type=T.f64)
        return b.op("sum", b.op("multiply", r, scale))
    check_gradients(function([f64(2)], body), [np.array([0.4, 1.3])], [0])


def test_quotient_inside_a_loop_is_located():
    here = Loc("loop.py", 7, 21)

    def body(b, x):
        def step(b, i, s):
            with b.located(here):
                q = b.op("quotient", b.op("as_type", s, type=T.s32), 3)
            return [b.op("as_type", q, type=T.f64)]
        (s,) = for_loop(b, [x], 0, 2, step)
        return b.op("sum", s)
    with pytest.raises(CompileError, match="quotient") as e:
        grad_function(function([f64(2)], body))
    assert e.value.loc == here
