"""nx.grad, nx.value_and_grad, nx.stop_grad and nx.custom_grad, from Python."""
import math

import numpy as np
import pytest

import nxc as nx
from nxc.compiler.ir.core import Value
from nxc.runtime.errors import ArgumentError, CompileError, DTypeError

from gradutil import ATOL, RTOL, STEP


def fd(f, x):
    """Central differences of the scalar Python function f at the array x (f64)."""
    x = np.asarray(x, np.float64)
    out = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        hi, lo = x.copy(), x.copy()
        hi[i] += STEP
        lo[i] -= STEP
        out[i] = (float(f(hi)) - float(f(lo))) / (2 * STEP)
    return out


def close(got, want):
    np.testing.assert_allclose(np.asarray(got), want, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------------
# grad of grad
# ---------------------------------------------------------------------------

def d2(f):
    return nx.grad(nx.grad(f))


@pytest.mark.parametrize("x", [-1.3, 0.0, 0.4, 2.0])
def test_second_derivatives(x):
    x64 = np.float64(x)
    close(d2(nx.sin)(x64), -math.sin(x))
    close(d2(nx.tanh)(x64), -2 * math.tanh(x) * (1 - math.tanh(x) ** 2))
    close(d2(lambda t: nx.pow(t, 3))(x64), 6 * x)
    close(nx.grad(d2(lambda t: nx.pow(t, 3)))(x64), 6.0)  # third order


def test_captured_values_are_constants_of_the_inner_gradient():
    # d/dx [d/dt (t * x) at t = x] = d/dx x = 1: the inner grad treats the
    # captured x as a constant, the outer one differentiates what it gives.
    inner = lambda x: nx.grad(lambda t: nx.multiply(nx.multiply(t, t), x))(x)  # noqa: E731
    value, g = nx.value_and_grad(inner)(np.float64(3.0))
    close(value, 18.0)  # 2 t x at t = x = 3
    close(g, 12.0)  # d/dx 2 x^2


def test_second_derivative_of_a_vector_function_matches_finite_differences():
    def f(x):
        return nx.sum(nx.multiply(nx.exp(nx.sin(x)), nx.sigmoid(x)))
    x, v = np.array([0.3, -1.2, 2.5]), np.array([1.0, -2.0, 0.5])
    hvp = nx.grad(lambda t, w: nx.sum(nx.multiply(nx.grad(f)(t), w)))
    close(hvp(x, v), fd(lambda t: np.sum(nx.grad(f)(t).to_numpy() * v), x))


# ---------------------------------------------------------------------------
# argnums, value_and_grad, seeds, types
# ---------------------------------------------------------------------------

def loss(w, x, y):
    return nx.mean(nx.pow(nx.subtract(nx.dot(x, w), y), 2))


W = np.array([[0.5, -0.2], [0.1, 0.3], [-0.4, 0.8]])
X = np.array([[1.0, 2.0, -1.0], [0.5, -0.3, 2.0]])
Y = np.array([[0.2, 0.1], [-0.5, 1.0]])


def test_value_and_grad_with_tuple_argnums():
    value, (gw, gy) = nx.value_and_grad(loss, (0, 2))(W, X, Y)
    r = X @ W - Y
    close(value, np.mean(r ** 2))
    close(gw, X.T @ (2 * r / r.size))
    close(gy, -2 * r / r.size)
    assert isinstance(value, nx.Tensor) and gw.type == nx.f64[3, 2]


def test_argnums_int_gives_one_gradient_and_negative_counts_from_the_end():
    g = nx.grad(loss, -1)(W, X, Y)
    assert isinstance(g, nx.Tensor)
    close(g, -2 * (X @ W - Y) / Y.size)
    (gx,) = nx.grad(loss, (1,))(W, X, Y)
    close(gx, fd(lambda x: loss(W, x, Y), X))


def test_non_scalar_result_is_the_gradient_of_its_sum():
    x = np.array([[0.1, 0.2], [0.3, 0.4]])
    close(nx.grad(nx.exp)(x), np.exp(x))


def test_integer_arguments_get_zero_gradients_of_their_own_type():
    f = lambda x, n: nx.multiply(nx.sum(x), nx.as_type(nx.sum(n), nx.f64))  # noqa: E731
    gx, gn = nx.grad(f, (0, 1))(np.array([1.0, 2.0]), np.array([3, 4], np.int16))
    assert gx.tolist() == [7.0, 7.0]
    assert gn.dtype == nx.s16 and gn.tolist() == [0, 0]


def test_gradient_keeps_names():
    x = nx.tensor([[1.0, 2.0, 3.0]], nx.f64, names=["batch", "features"])
    g = nx.grad(lambda t: nx.sum(nx.multiply(t, t)))(x)
    assert g.names == ("batch", "features") and g.tolist() == [[2.0, 4.0, 6.0]]


def test_f32_gradient():
    g = nx.grad(lambda t: nx.sum(nx.log(t)))(np.array([2.0, 4.0], np.float32))
    assert g.dtype == nx.f32 and g.tolist() == [0.5, 0.25]


def test_python_numbers_take_their_literal_type():
    g = nx.grad(lambda t: nx.multiply(t, t))(1.5)
    assert g.dtype == nx.f32 and g.item() == 3.0


# ---------------------------------------------------------------------------
# @defn functions
# ---------------------------------------------------------------------------

@nx.defn
def defn_loss(w, x, y):
    return nx.sum((x @ w - y) ** 2)


def test_grad_of_a_defn_function():
    value, gw = nx.value_and_grad(defn_loss)(W, X, Y)
    close(value, np.sum((X @ W - Y) ** 2))
    close(gw, X.T @ (2 * (X @ W - Y)))


@nx.defn
def defn_step(w, x, y):
    value, g = nx.value_and_grad(defn_loss)(w, x, y)
    return value, w - 0.1 * g


def test_value_and_grad_inside_a_defn():
    value, w = defn_step(W, X, Y)
    close(value, np.sum((X @ W - Y) ** 2))
    close(w, W - 0.1 * X.T @ (2 * (X @ W - Y)))


# ---------------------------------------------------------------------------
# stop_grad, custom_grad
# ---------------------------------------------------------------------------

def test_stop_grad():
    # d/dx [x * stop_grad(x)] = stop_grad(x): one of the two factors is a constant.
    x = np.array([1.0, -2.0, 3.0])
    close(nx.grad(lambda t: nx.sum(nx.multiply(t, nx.stop_grad(t))))(x), x)
    assert nx.stop_grad(nx.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]


def clipped_exp(x):
    # exp(x) whose gradient is clipped to at most 1 (the value is exp(x)).
    return nx.custom_grad(nx.exp(x), [x],
                          lambda g: [nx.multiply(g, nx.min(nx.exp(x), 1.0))])


def test_custom_grad_replaces_the_gradient():
    x = np.array([-1.0, 0.5, 2.0])
    close(nx.grad(lambda t: nx.sum(clipped_exp(t)))(x), np.minimum(np.exp(x), 1.0))
    value, _ = nx.value_and_grad(lambda t: nx.sum(clipped_exp(t)))(x)
    close(value, np.sum(np.exp(x)))


def test_custom_grad_with_several_inputs_broadcast_gradients():
    # value = x * y; the custom gradient sends g to x and the scalar 2 * g to y
    # (summed over the axis y was broadcast along).
    def f(x, y):
        v = nx.custom_grad(nx.multiply(x, y), [x, y], lambda g: [g, nx.multiply(g, 2.0)])
        return nx.sum(v)
    gx, gy = nx.grad(f, (0, 1))(np.array([1.0, 2.0, 3.0]), np.float64(5.0))
    assert gx.tolist() == [1.0, 1.0, 1.0] and gy.item() == 6.0


def test_grad_of_custom_grad_differentiates_the_custom_rule():
    # d2/dx2 of clipped_exp is d/dx min(exp(x), 1): exp(x) below 0, 0 above.
    x = np.array([-1.0, 2.0])
    close(nx.grad(lambda t: nx.sum(nx.grad(lambda u: nx.sum(clipped_exp(u)))(t)))(x),
          [math.exp(-1.0), 0.0])


def test_custom_grad_outside_tracing_returns_the_value():
    v = nx.custom_grad(nx.tensor([1.0, 2.0]), [], lambda g: [])
    assert v.tolist() == [1.0, 2.0]


def test_custom_grad_errors():
    with pytest.raises(ArgumentError, match="one gradient per input \\(1\\), got 2"):
        nx.grad(lambda t: nx.sum(nx.custom_grad(t, [t], lambda g: [g, g])))(np.ones(2))
    with pytest.raises(ArgumentError, match="list of inputs"):
        nx.custom_grad(nx.tensor(1.0), 3, lambda g: g)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def test_errors():
    with pytest.raises(ArgumentError, match="argnums .* out of range: .* takes 1 argument"):
        nx.grad(nx.exp, 1)(np.ones(2))
    with pytest.raises(ArgumentError, match="argnums must be an int or a tuple"):
        nx.grad(nx.exp, "x")
    with pytest.raises(ArgumentError, match="repeats"):
        nx.grad(loss, (0, 0))(W, X, Y)
    with pytest.raises(ArgumentError, match="grad takes a function"):
        nx.grad(3)
    with pytest.raises(ArgumentError, match="one result; .* returns 2"):
        nx.grad(lambda t: (t, t))(np.ones(2))
    with pytest.raises(ArgumentError, match="use nx.\\* functions, not operators"):
        nx.grad(lambda t: nx.sum(t * t))(np.ones(2))
    with pytest.raises(DTypeError, match="complex"):
        nx.grad(lambda t: nx.sum(nx.abs(t)))(np.ones(2, np.complex64))
    with pytest.raises(CompileError, match="quotient"):
        nx.grad(lambda t: nx.sum(nx.as_type(nx.quotient(nx.as_type(t, nx.s32), 2), nx.f32)))(
            np.ones(2, np.float32))


def test_traced_arguments_inline_the_gradient():
    from nxc._dispatch import building
    from nxc.compiler.ir.builder import Builder
    from nxc.compiler.ir.core import Module
    b = Builder()
    fn = b.function(Module(), "f", [nx.f64[3]])
    with building(b), b.at(fn.body):
        g = nx.grad(nx.sin)(fn.params[0])
    assert isinstance(g, Value) and [op.name for op in fn.body.ops] == ["cos"]
