"""Each construct defn supports, called from Python both through the interpreter
and compiled for the CPU (the JIT path), and compared with numpy written by
hand in float64, or with explicit values."""
import math

import numpy as np
import pytest

import nxc as nx

F32 = np.float32
X = np.array([0.5, -1.5, 2.0], F32)
Y = np.array([1.25, 2.0, -0.5], F32)
M = np.arange(12, dtype=F32).reshape(3, 4) - 5

EPS = 1e-3
SIZES = (2, 6)
CAPTURED = np.array([10.0, 20.0, 30.0], F32)


@pytest.fixture(autouse=True, params=["interpreter", "cpu"])
def compiler(request, monkeypatch):
    """Runs every test of this file with each way a defn call can execute."""
    from nxc.defn import DefnFunction
    for value in list(globals().values()):
        if isinstance(value, DefnFunction):
            monkeypatch.setattr(value, "compiler", request.param)
    return request.param


def close(got, want, dtype=None, rtol=1e-6):
    got_a = np.asarray(got)
    if dtype is not None:
        assert got.dtype == dtype, f"dtype {got.dtype}, expected {dtype}"
    np.testing.assert_allclose(got_a.astype(np.float64), np.asarray(want, np.float64), rtol=rtol,
                               atol=1e-6)


# ---------------------------------------------------------------------------
# Operators and literals
# ---------------------------------------------------------------------------

@nx.defn
def arithmetic(a, b):
    return a + b, a - b, a * b, a / b, a % b, abs(a) ** b, -a, +a


def test_arithmetic_operators():
    add, sub, mul, div, rem, pw, neg, pos = arithmetic(X, Y)
    a, b = X.astype(np.float64), Y.astype(np.float64)
    close(add, a + b, nx.f32)
    close(sub, a - b)
    close(mul, a * b)
    close(div, a / b)
    close(rem, np.fmod(a, b))  # Nx: the sign of the dividend
    close(pw, np.abs(a) ** b, rtol=1e-5)
    close(neg, -a)
    close(pos, a)


@nx.defn
def integer_division(i, j):
    return i // j, i % j, i / j


def test_integer_quotient_truncates_toward_zero():
    i = np.array([7, -7, 7, -7], np.int32)
    j = np.array([2, 2, -2, -2], np.int32)
    q, r, d = integer_division(i, j)
    assert q.dtype == nx.s32 and q.tolist() == [3, -3, -3, 3]
    assert r.tolist() == [1, -1, 1, -1]
    assert d.dtype == nx.f32
    close(d, [3.5, -3.5, -3.5, 3.5])


@nx.defn
def comparisons(a, b):
    return a < b, a <= b, a > b, a >= b, a == b, a != b, -1.0 < a < 1.0


def test_comparisons_give_u8():
    a = np.array([1.0, 2.0, 0.5], F32)
    b = np.array([2.0, 2.0, -1.0], F32)
    lt, le, gt, ge, eq, ne, chained = comparisons(a, b)
    assert lt.dtype == nx.u8
    assert lt.tolist() == [1, 0, 0]
    assert le.tolist() == [1, 1, 0]
    assert gt.tolist() == [0, 0, 1]
    assert ge.tolist() == [0, 1, 1]
    assert eq.tolist() == [0, 1, 0]
    assert ne.tolist() == [1, 0, 1]
    assert chained.tolist() == [0, 0, 1]


@nx.defn
def logic(p, q):
    return p and q, p or q, not p


def test_boolean_operators_are_logical_ops():
    p = np.array([0, 1, 1, 0], np.uint8)
    q = np.array([0, 0, 1, 1], np.uint8)
    both, either, neither = logic(p, q)
    assert both.tolist() == [0, 0, 1, 0]
    assert either.tolist() == [0, 1, 1, 1]
    assert neither.tolist() == [1, 0, 0, 1]


@nx.defn
def weak_literals(x):
    return x + 1, x + 256, x + -1, x * 0.5


def test_numbers_take_the_tensor_type_when_they_fit():
    x = np.array([250, 3], np.uint8)
    a, b, c, d = weak_literals(x)
    assert (a.dtype, b.dtype, c.dtype, d.dtype) == (nx.u8, nx.u16, nx.s16, nx.f32)
    assert a.tolist() == [251, 4]
    assert b.tolist() == [506, 259]
    assert c.tolist() == [249, 2]
    assert d.tolist() == [125.0, 1.5]


@nx.defn
def matmul(x, w):
    return x @ w


def test_matmul_is_dot():
    w = np.arange(8, dtype=F32).reshape(4, 2)
    close(matmul(M, w), M.astype(np.float64) @ w.astype(np.float64), nx.f32)


# ---------------------------------------------------------------------------
# Tuples, indexing, nx calls
# ---------------------------------------------------------------------------

@nx.defn
def tuples(a, b):
    x, (y, z) = a, (b, a + b)
    first, *rest = (z, y, x)
    return first, (rest[0], rest[1] * 2)


def test_tuples_unpacking_and_nested_returns():
    out = tuples(X, Y)
    assert isinstance(out, tuple) and isinstance(out[1], tuple)
    first, (second, third) = out
    close(first, X.astype(np.float64) + Y)
    close(second, Y)
    close(third, 2.0 * X)


@nx.defn
def indexing(m):
    return m[0], m[:, 1:3], m[..., -1], m[1::2], m[None], m[-1, 2]


def test_indexing_with_static_bounds():
    row, cols, last, strided, lifted, item = indexing(M)
    close(row, M[0])
    close(cols, M[:, 1:3])
    close(last, M[..., -1])
    close(strided, M[1::2])
    assert lifted.shape == (1, 3, 4)
    assert item.shape == () and item.item() == M[-1, 2]


@nx.defn
def reductions(m):
    return (nx.sum(m, axes=[1]), nx.sum(m, axes=[0], keep_axes=True), nx.reduce_max(m),
            nx.transpose(nx.reshape(m, (4, 3))), nx.mean(m))


def test_nx_calls_with_options():
    s1, s0, mx, t, mean = reductions(M)
    m = M.astype(np.float64)
    close(s1, m.sum(axis=1))
    assert s0.shape == (1, 4)
    close(s0, m.sum(axis=0, keepdims=True))
    close(mx, m.max())
    close(t, m.reshape(4, 3).T)
    close(mean, m.mean())


@nx.defn
def softmax(t: nx.f32["n"]):
    e = nx.exp(t - nx.reduce_max(t))
    return e / nx.sum(e)


def test_softmax():
    t = np.array([1.0, 2.0, 3.0, 4.0], F32)
    e = np.exp(t.astype(np.float64) - 4.0)
    close(softmax(t), e / e.sum(), nx.f32)
    # The symbolic size n takes any length.
    assert softmax(np.zeros(7, F32)).shape == (7,)


# ---------------------------------------------------------------------------
# Calls: other defns, local helpers, lambdas, options
# ---------------------------------------------------------------------------

@nx.defn
def scale(x, *, by=2.0):
    return x * by


@nx.defn
def calls_defn(x):
    return scale(x), scale(x, by=-3.0)


def test_calls_to_other_defns_with_options():
    a, b = calls_defn(X)
    close(a, 2.0 * X.astype(np.float64))
    close(b, -3.0 * X.astype(np.float64))


@nx.defn
def helpers(x, y, *, power=2):
    offset = y * 10

    def affine(t, a=2.0, *, b):
        return t * a + b + offset  # closes over offset

    square = lambda t: t ** power  # noqa: E731
    return square(affine(x, b=1.0))


def test_local_defs_lambdas_and_closures():
    a, b = X.astype(np.float64), Y.astype(np.float64)
    close(helpers(X, Y), (a * 2 + 1 + b * 10) ** 2, rtol=1e-5)
    close(helpers(X, Y, power=3), (a * 2 + 1 + b * 10) ** 3, rtol=1e-5)


@nx.defn
def dense(x, w, b, *, relu=True):
    y = x @ w + b
    return nx.max(y, 0.0) if relu else y


def test_static_options_pick_branches():
    w = np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0], [0.0, 1.0]], F32)
    b = np.array([0.25, -10.0], F32)
    y = M.astype(np.float64) @ w + b
    close(dense(M, w, b), np.maximum(y, 0.0))
    close(dense(M, w, b, relu=False), y)


# ---------------------------------------------------------------------------
# Control flow
# ---------------------------------------------------------------------------

@nx.defn
def branch(x):
    if nx.sum(x) > 0:
        y = x * 2
        z = 1
    else:
        y = x - 1
        z = 2.5
    return y, z


def test_if_on_a_tensor_runs_the_branch_taken():
    y, z = branch(X)  # sum 1.0 > 0
    close(y, 2.0 * X.astype(np.float64))
    assert z.dtype == nx.f32 and z.item() == 1.0  # the branches' types joined: f32
    y, z = branch(-X)
    close(y, -X.astype(np.float64) - 1)
    assert z.item() == 2.5


@nx.defn
def sign(x):
    if x > 0:
        s = 1
    elif x < 0:
        s = -1
    else:
        s = 0
    return s


def test_elif():
    assert [sign(np.float32(v)).item() for v in (3.0, -2.0, 0.0)] == [1, -1, 0]


@nx.defn
def early(x, *, flag=True):
    if flag:
        if nx.sum(x) > 0:
            return x
        x = x * 3
    return x + 1


def test_return_inside_an_if_on_a_tensor():
    close(early(X), X)
    close(early(-X), -3.0 * X.astype(np.float64) + 1)
    close(early(-X, flag=False), -X.astype(np.float64) + 1)


@nx.defn
def joined(x, i, p):
    a = x if p else 0.0
    b = i if p else 1.5
    return a, b


def test_branches_are_joined_by_nx_rules():
    a, b = joined(X, np.int32(4), np.uint8(1))
    assert a.dtype == nx.f32 and a.shape == (3,)
    close(a, X)
    assert b.dtype == nx.f32 and b.item() == 4.0  # s32 with a float number: f32
    a, b = joined(X, np.int32(4), np.uint8(0))
    close(a, [0.0, 0.0, 0.0])
    assert b.item() == 1.5


@nx.defn
def power(x, n):
    acc = x
    i = 1
    while i < n:
        acc = acc * x
        i += 1
    return acc, i


def test_while_loop():
    acc, i = power(X, np.int32(4))
    close(acc, X.astype(np.float64) ** 4, rtol=1e-5)
    assert i.dtype == nx.s32 and i.item() == 4
    acc, i = power(X, np.int32(0))  # the body never runs
    close(acc, X)
    assert i.item() == 1


@nx.defn
def total(x, n):
    acc = 0.0  # weak: becomes zeros of the body's type
    k = 0
    while k < n:
        acc = acc + x
        k = k + 1
    return acc


def test_while_with_a_number_that_the_body_retypes():
    out = total(X.astype(np.float64), np.int32(3))
    assert out.dtype == nx.f64 and out.shape == (3,)
    close(out, 3.0 * X.astype(np.float64))


def test_for_loop_with_tuple_state():
    # The bound of a for loop is static: here a keyword-only option.
    a, b = fib_static(n=10)
    assert (a.item(), b.item()) == (55, 89)


@nx.defn
def fib_static(*, n):
    pair = (0, 1)
    for _ in range(n):
        a, b = pair
        pair = (b, a + b)
    return pair


@nx.defn
def series(x):
    y = x
    for i in range(1, 6, 2):
        y = y + nx.as_type(i, nx.f32) * x
    for j in range(3, 0, -1):
        y = y - j
    return y, j


def test_for_loop_steps():
    y, j = series(X)
    close(y, X.astype(np.float64) * (1 + 1 + 3 + 5) - (3 + 2 + 1))
    assert j.item() == 1


@nx.defn
def checked(m):
    assert m.shape == (3, 4) and m.rank == 2, "needs a 3x4 matrix"
    return nx.reshape(m, (m.shape[0] * m.shape[1],))


def test_assert_and_static_attributes():
    close(checked(M), M.reshape(12))


@nx.defn
def documented(x):
    """A docstring; ignored."""
    "another string statement"
    return x


def test_docstrings_are_ignored():
    close(documented(X), X)


# ---------------------------------------------------------------------------
# Globals, builtins, comprehensions
# ---------------------------------------------------------------------------

@nx.defn
def uses_globals(x):
    return nx.reshape(x, SIZES) + EPS, x[:3] + CAPTURED, math.pi * 1.0


def test_module_constants_and_captured_arrays():
    x = np.arange(12, dtype=F32)
    r, c, pi = uses_globals(x)
    close(r, x.reshape(2, 6).astype(np.float64) + 1e-3)
    close(c, x[:3].astype(np.float64) + [10, 20, 30])
    close(pi, math.pi)


@nx.defn
def builtin_calls(m, y):
    return abs(m), max(m, y), min(m, 0.0), len(m) * 1.0, sum((y, y), 1.0)


def test_builtins():
    y = np.array([0.0, 1.0, -1.0, 2.0], F32)
    a, mx, mn, n, s = builtin_calls(M, y)
    m = M.astype(np.float64)
    close(a, np.abs(m))
    close(mx, np.maximum(m, y))
    close(mn, np.minimum(m, 0.0))
    assert n.item() == 3.0
    close(s, 1.0 + 2.0 * y)


@nx.defn
def comprehension(x):
    return tuple(x ** k for k in range(1, 5) if k != 2)


def test_static_comprehensions():
    out = comprehension(X)
    assert len(out) == 3
    for got, k in zip(out, (1, 3, 4)):
        close(got, X.astype(np.float64) ** k, rtol=1e-5)


@nx.defn
def double(x):
    return x + x


@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.float16, np.float64, np.complex64])
def test_unannotated_parameters_take_the_call_types(dtype):
    x = np.array([1, 2, 3]).astype(dtype)
    out = double(x)
    assert np.asarray(out).dtype == np.dtype(dtype)
    close(np.real(np.asarray(out)), [2.0, 4.0, 6.0])
