"""The Nx op namespace: every function eagerly against numpy oracles computed in float64
(or written by hand), names through the ops, option errors, and the same functions
on values being traced."""
import math

import numpy as np
import pytest

import nxc as nx
from nxc import indexing, operators
from nxc._dispatch import building
from nxc.compiler.ir import interpreter
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module, Value
from nxc.runtime.errors import ArgumentError, AxisNameError, DTypeError, ShapeError

X = np.array([[0.5, -1.25, 2.0], [3.0, -0.75, 1.5]])  # float64 oracle data
Y = np.array([[2.0, 0.5, -1.0], [1.0, 4.0, 0.25]])
P = np.array([[0.25, 0.5, 0.75], [1.0, 1.5, 2.0]])  # positive, for log and sqrt


def _t(a, dtype=nx.f32, names=None):
    return nx.tensor(a, dtype=dtype, names=names)


def _check(result, expected, dtype, rtol=1e-6):
    assert isinstance(result, nx.Tensor)
    assert result.dtype == dtype
    expected = np.asarray(expected)
    assert result.shape == expected.shape
    np.testing.assert_allclose(np.asarray(result).astype(np.float64), expected, rtol=rtol,
                               atol=1e-7)


# ---------------------------------------------------------------------------
# Element-wise
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn, oracle", [
    (nx.add, lambda x, y: x + y),
    (nx.subtract, lambda x, y: x - y),
    (nx.multiply, lambda x, y: x * y),
    (nx.divide, lambda x, y: x / y),
    (nx.max, np.maximum),
    (nx.min, np.minimum),
    (nx.atan2, np.arctan2),
    (nx.remainder, np.fmod),
])
def test_binary(fn, oracle):
    _check(fn(_t(X), _t(Y)), oracle(X, Y), nx.f32)


def test_pow():
    _check(nx.pow(_t(P), _t(Y)), P ** Y, nx.f32)
    assert nx.pow(nx.tensor([2, 3]), 3).tolist() == [8, 27]


def test_integer_division():
    a, b = nx.tensor([7, -7, 9]), nx.tensor([2, 2, -4])
    assert nx.quotient(a, b).tolist() == [3, -3, -2]
    assert nx.remainder(a, b).tolist() == [1, -1, 1]
    assert nx.divide(a, b).dtype == nx.f32
    with pytest.raises(DTypeError, match="quotient does not accept f32"):
        nx.quotient(_t([1.0]), _t([2.0]))


@pytest.mark.parametrize("fn, oracle, data", [
    (nx.negate, np.negative, X),
    (nx.abs, np.abs, X),
    (nx.sign, np.sign, X),
    (nx.floor, np.floor, X),
    (nx.ceil, np.ceil, X),
    (nx.exp, np.exp, X),
    (nx.expm1, np.expm1, X),
    (nx.log, np.log, P),
    (nx.log1p, np.log1p, P),
    (nx.sqrt, np.sqrt, P),
    (nx.rsqrt, lambda x: 1 / np.sqrt(x), P),
    (nx.sin, np.sin, X),
    (nx.cos, np.cos, X),
    (nx.tan, np.tan, X),
    (nx.tanh, np.tanh, X),
    (nx.sigmoid, lambda x: 1 / (1 + np.exp(-x)), X),
    (nx.erf, np.vectorize(math.erf), X),
])
def test_unary(fn, oracle, data):
    _check(fn(_t(data)), oracle(data), nx.f32)


def test_round_halves_away_from_zero():
    assert nx.round(_t([0.5, 1.5, 2.5, -0.5, -2.5, 2.4])).tolist() == [1, 2, 3, -1, -3, 2]


def test_unary_math_on_integers_gives_f32():
    assert nx.exp(nx.tensor([0, 1])).dtype == nx.f32
    assert nx.sqrt(4).dtype == nx.f32 and nx.sqrt(4).item() == 2.0
    assert nx.abs(nx.tensor([-3], dtype=nx.s8)).tolist() == [3]


@pytest.mark.parametrize("fn, oracle", [
    (nx.equal, np.equal), (nx.not_equal, np.not_equal), (nx.less, np.less),
    (nx.less_equal, np.less_equal), (nx.greater, np.greater),
    (nx.greater_equal, np.greater_equal),
])
def test_comparisons(fn, oracle):
    a = np.array([1.0, 2.0, 3.0])
    _check(fn(_t(a), 2), oracle(a, 2).astype(np.float64), nx.u8)


def test_logic():
    a, b = nx.tensor([0, 1, 2, 0]), nx.tensor([0.0, 0.0, 0.5, 3.0])
    assert nx.logical_and(a, b).tolist() == [0, 0, 1, 0]
    assert nx.logical_or(a, b).tolist() == [0, 1, 1, 1]
    assert nx.logical_not(a).tolist() == [1, 0, 0, 1]
    assert nx.logical_not(a).dtype == nx.u8


def test_select_and_clip():
    r = nx.select(nx.tensor([1, 0, 1]), nx.tensor([1, 2, 3], dtype=nx.u8), 10)
    assert r.dtype == nx.u8 and r.tolist() == [1, 10, 3]
    assert nx.select(nx.tensor([0, 1]), 1, 2.5).dtype == nx.f32
    _check(nx.clip(_t(X), -1, 1.5), np.clip(X, -1, 1.5), nx.f32)


def test_as_type():
    r = nx.as_type(_t([1.7, -1.7, 300.0]), nx.s8)
    assert r.dtype == nx.s8 and r.tolist() == [1, -1, 127]
    assert nx.as_type(nx.tensor([1, 2]), "f64").dtype == nx.f64
    with pytest.raises(DTypeError, match="unknown type 'float'"):
        nx.as_type(nx.tensor([1]), "float")


def test_eager_on_numpy_arrays_and_numbers():
    r = nx.add(np.array([1, 2], dtype=np.int16), 1)
    assert isinstance(r, nx.Tensor) and r.dtype == nx.s16 and r.tolist() == [2, 3]
    assert nx.multiply(2, 3).item() == 6 and nx.multiply(2, 3).dtype == nx.s32
    assert nx.add(np.array([True]), 1).dtype == nx.u8
    assert nx.negate(np.float64(2.0)).dtype == nx.f64


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn, oracle", [
    (nx.sum, np.sum), (nx.product, np.prod), (nx.reduce_max, np.max),
    (nx.reduce_min, np.min), (nx.mean, np.mean),
])
@pytest.mark.parametrize("axes, keep", [(None, False), ([0], False), ([1], True), ([-1], False)])
def test_reductions(fn, oracle, axes, keep):
    np_axes = None if axes is None else tuple(axes)
    _check(fn(_t(X), axes=axes, keep_axes=keep), oracle(X, axis=np_axes, keepdims=keep), nx.f32)


def test_reduction_types():
    u = nx.tensor([200, 100], dtype=nx.u8)
    assert nx.sum(u).dtype == nx.u32 and nx.sum(u).item() == 300
    assert nx.product(nx.tensor([-2, 3], dtype=nx.s8)).dtype == nx.s32
    assert nx.mean(nx.tensor([1, 2])).dtype == nx.f32 and nx.mean(nx.tensor([1, 2])).item() == 1.5
    assert nx.reduce_max(u).dtype == nx.u8


def test_all_any():
    a = nx.tensor([[1, 0], [1, 1]])
    assert nx.all(a).item() == 0 and nx.any(a).item() == 1
    assert nx.all(a, axes=[1]).tolist() == [0, 1]
    assert nx.any(a, axes=[0], keep_axes=True).tolist() == [[1, 1]]
    assert nx.all(a).dtype == nx.u8


def test_argmax_argmin():
    a = nx.tensor([[1, 3, 3], [7, 0, 7]])
    assert nx.argmax(a).item() == 3 and nx.argmax(a).dtype == nx.s32
    assert nx.argmax(a, axis=1).tolist() == [1, 0]
    assert nx.argmax(a, axis=1, tie_break="high").tolist() == [2, 2]
    assert nx.argmin(a, axis=0).tolist() == [0, 1, 0]
    assert nx.argmin(a, axis=-1, keep_axis=True).tolist() == [[0], [1]]
    with pytest.raises(ArgumentError, match="tie_break must be 'low' or 'high'"):
        nx.argmax(a, tie_break="middle")


def test_axis_names_in_reductions():
    t = _t(X, names=["rows", "cols"])
    s = nx.sum(t, axes=["rows"])
    assert s.names == ("cols",)
    _check(s, X.sum(axis=0), nx.f32)
    assert nx.sum(t, axes=["cols"], keep_axes=True).names == ("rows", "cols")
    assert nx.argmax(t, axis="cols").names == ("rows",)
    with pytest.raises(AxisNameError, match=r"'cols' not found .* axis names are \['rows'\]"):
        nx.sum(_t([[1.0]], names=["rows", None]), axes=["cols"])


# ---------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------

def test_dot_two_argument_forms():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(3, 4)
    v = np.array([1.0, -2.0, 0.5])
    _check(nx.dot(_t(a), _t(b)), a @ b, nx.f32)
    _check(nx.dot(_t(v), _t(v)), v @ v, nx.f32)
    _check(nx.dot(_t(a), _t(v)), a @ v, nx.f32)
    _check(nx.dot(_t(v), _t(b)), v @ b, nx.f32)
    c = np.arange(24.0).reshape(2, 3, 4)
    _check(nx.dot(_t(c), _t(b.T)), np.dot(c, b.T), nx.f32)  # numpy.dot, not matmul
    _check(nx.dot(2, _t(a)), 2 * a, nx.f32)
    assert nx.dot(nx.tensor([1, 2]), nx.tensor([3, 4], dtype=nx.u8)).dtype == nx.s32


def test_dot_with_contract_and_batch_axes():
    a = np.arange(24.0).reshape(2, 3, 4)
    b = np.arange(40.0).reshape(2, 4, 5)
    r = nx.dot(_t(a), [2], [0], _t(b), [1], [0])
    _check(r, np.einsum("bij,bjk->bik", a, b), nx.f32)
    m = np.arange(12.0).reshape(3, 4)
    n = np.arange(12.0).reshape(4, 3)
    _check(nx.dot(_t(m), [0, 1], _t(n), [1, 0]), np.einsum("ij,ji->", m, n), nx.f32)
    named = nx.dot(_t(a, names=["batch", "i", "j"]), ["j"], ["batch"], _t(b), [1], [0])
    assert named.names == ("batch", "i", None)
    with pytest.raises(ArgumentError, match="dot takes 2, 4 or 6 arguments"):
        nx.dot(_t(a), [2], _t(b))
    with pytest.raises(ShapeError, match="dot cannot pair contract axis"):
        nx.dot(_t(m), _t(m))


# ---------------------------------------------------------------------------
# Shape
# ---------------------------------------------------------------------------

A = np.arange(6, dtype=np.int32).reshape(2, 3)


def test_reshape_and_rename():
    r = nx.reshape(nx.tensor(A, names=["x", "y"]), (3, 2))
    assert r.names == (None, None) and r.tolist() == A.reshape(3, 2).tolist()
    assert nx.reshape(nx.tensor(A), (-1,), names=["flat"]).names == ("flat",)
    assert nx.reshape(nx.tensor(A), nx.iota((3, 1, 2))).shape == (3, 1, 2)
    assert nx.rename(nx.tensor(A), ["rows", "cols"]).names == ("rows", "cols")
    assert nx.rename(nx.tensor(A), ["rows", "cols"]).tolist() == A.tolist()
    with pytest.raises(ShapeError, match="cannot reshape"):
        nx.reshape(nx.tensor(A), (4,))


def test_transpose():
    t = nx.tensor(np.arange(24).reshape(2, 3, 4), names=["a", "b", "c"])
    assert nx.transpose(t).shape == (4, 3, 2) and nx.transpose(t).names == ("c", "b", "a")
    r = nx.transpose(t, axes=["b", "c", "a"])
    assert r.names == ("b", "c", "a")
    np.testing.assert_array_equal(np.asarray(r), np.arange(24).reshape(2, 3, 4).transpose(1, 2, 0))


def test_broadcast():
    r = nx.broadcast(nx.tensor([1, 2, 3]), (2, 3))
    assert r.tolist() == [[1, 2, 3], [1, 2, 3]]
    r = nx.broadcast(nx.tensor([1, 2]), (2, 3), axes=[0], names=["rows", "cols"])
    assert r.tolist() == [[1, 1, 1], [2, 2, 2]] and r.names == ("rows", "cols")
    assert nx.broadcast(1.5, (2,)).tolist() == [1.5, 1.5]
    assert nx.broadcast(nx.tensor(1), nx.tensor(A)).shape == (2, 3)


def test_squeeze_and_new_axis():
    t = nx.tensor(np.zeros((1, 3, 1)), names=["a", "b", "c"])
    assert nx.squeeze(t).shape == (3,) and nx.squeeze(t).names == ("b",)
    assert nx.squeeze(t, axes=["c"]).names == ("a", "b")
    n = nx.new_axis(nx.tensor(A), 1, name="mid")
    assert n.shape == (2, 1, 3) and n.names == (None, "mid", None)
    assert nx.new_axis(nx.tensor(A), -1).shape == (2, 3, 1)


def test_slice_and_put_slice():
    x = np.arange(20, dtype=np.int32).reshape(4, 5)
    assert nx.slice(nx.tensor(x), [1, 0], [2, 5]).tolist() == x[1:3, :].tolist()
    # The length is the span walked by the stride, as in Nx: 5 with stride 2 gives 3.
    strided = nx.slice(nx.tensor(x), [0, 0], [4, 5], strides=[2, 2])
    assert strided.tolist() == x[0:4:2, 0:5:2].tolist()
    r = nx.put_slice(nx.tensor(x), [1, 2], nx.tensor([[-1, -2], [-3, -4]]))
    expected = x.copy()
    expected[1:3, 2:4] = [[-1, -2], [-3, -4]]
    assert r.tolist() == expected.tolist()
    # As in Nx, a start past size - length is clamped so that the slice fits.
    assert nx.slice(nx.tensor(x), [3, 0], [2, 5]).tolist() == x[2:4, :].tolist()
    with pytest.raises(ShapeError, match="exceeds the axis size"):
        nx.slice(nx.tensor(x), [0, 0], [5, 5])


def test_concatenate_and_stack():
    a, b = nx.tensor([[1, 2]], dtype=nx.u8), nx.tensor([[3, 4]], dtype=nx.s8)
    c = nx.concatenate([a, b])
    assert c.dtype == nx.s16 and c.tolist() == [[1, 2], [3, 4]]
    assert nx.concatenate([a, a], axis=1).tolist() == [[1, 2, 1, 2]]
    s = nx.stack([nx.tensor([1, 2]), nx.tensor([3, 4])], axis=1, name="pair")
    assert s.tolist() == [[1, 3], [2, 4]] and s.names == (None, "pair")
    with pytest.raises(ArgumentError, match="takes a list of tensors"):
        nx.concatenate(a)


def test_pad():
    r = nx.pad(nx.tensor([1, 2, 3]), 0, [(1, 2, 1)])
    assert r.tolist() == [0, 1, 0, 2, 0, 3, 0, 0]
    assert nx.pad(nx.tensor([[1, 2], [3, 4]]), 9, [(0, 0, 0), (-1, 1, 0)]).tolist() == [
        [2, 9], [4, 9]]


# ---------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------

def test_iota():
    assert nx.iota((2, 3)).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert nx.iota((2, 3)).dtype == nx.s32
    assert nx.iota((2, 3), axis=0).tolist() == [[0, 0, 0], [1, 1, 1]]
    r = nx.iota((3,), type=nx.f32, names=["i"])
    assert r.dtype == nx.f32 and r.names == ("i",) and r.tolist() == [0.0, 1.0, 2.0]
    assert nx.iota(4).tolist() == [0, 1, 2, 3]
    with pytest.raises(AxisNameError, match="expected 2 axis names"):
        nx.iota((2, 3), names=["x"])


def test_eye():
    assert nx.eye(2).tolist() == [[1, 0], [0, 1]] and nx.eye(2).dtype == nx.s32
    assert nx.eye((2, 3), type=nx.f64).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert nx.eye(2, names=["r", "c"]).names == ("r", "c")


def test_option_errors():
    with pytest.raises(ShapeError, match="axis 2 is out of range"):
        nx.sum(nx.tensor(A), axes=[2])
    with pytest.raises(ArgumentError, match="keep_axes must be true or false"):
        nx.sum(nx.tensor(A), keep_axes="yes")
    with pytest.raises(ShapeError, match="cannot add"):
        nx.add(nx.tensor([1, 2]), nx.tensor([1, 2, 3]))


def test_namespace_is_complete():
    for name in ("add subtract multiply divide quotient remainder pow max min atan2 negate abs "
                 "sign floor ceil round exp expm1 log log1p sqrt rsqrt sin cos tan tanh sigmoid "
                 "erf equal not_equal less less_equal greater greater_equal logical_and "
                 "logical_or logical_not select clip as_type sum product reduce_max reduce_min "
                 "mean all any argmax argmin dot reshape transpose broadcast squeeze new_axis "
                 "slice put_slice concatenate stack pad iota eye rename tensor Tensor").split():
        assert callable(getattr(nx, name)), name
        assert getattr(nx, name).__doc__, name


# ---------------------------------------------------------------------------
# The same functions on traced values
# ---------------------------------------------------------------------------

def _trace(param_types, body):
    """Build a function whose body calls the API on its parameters; returns the Function."""
    b = Builder()
    fn = b.function(Module(), "f", param_types)
    with b.at(fn.body), building(b):
        outs = body(*fn.params)
        assert all(isinstance(o, Value) for o in outs)
        b.terminate("return", outs)
    return fn


def test_api_on_traced_values_matches_eager():
    def body(x, y):
        return [nx.sum(nx.multiply(x, y), axes=["rows"]),
                operators.binary("//", nx.as_type(y, nx.s32), 2),
                nx.dot(x, nx.transpose(y)),
                indexing.getitem(x, (Ellipsis, slice(None, None, 2))),
                nx.add(nx.iota((2, 1), type=nx.f32), x),
                operators.binary("%", x, -2.0)]

    fn = _trace([nx.f32["rows": 2, 3], nx.f32[2, 3]], body)
    x, y = X.astype(np.float32), Y.astype(np.float32)
    got = interpreter.run_function(fn, x, y)
    eager = body(nx.tensor(x, names=["rows", None]), nx.tensor(y))
    assert [str(t) for t in fn.result_types] == [str(e.type) for e in eager]
    for g, e in zip(got, eager):
        np.testing.assert_array_equal(g, np.asarray(e))
    np.testing.assert_allclose(got[0], (X * Y).sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(got[5], np.fmod(X, -2.0), rtol=1e-6)


def test_indexing_traced_symbolic_axes():
    fn = _trace([nx.f32["n", 3]], lambda x: [indexing.getitem(x, (slice(None), 1, None)),
                                              indexing.getitem(x, 0)])
    assert [str(t) for t in fn.result_types] == ["f32[n: ?n][1]", "f32[3]"]
    data = np.arange(12, dtype=np.float32).reshape(4, 3)
    got = interpreter.run_function(fn, data)
    np.testing.assert_array_equal(got[0], data[:, 1, None])
    np.testing.assert_array_equal(got[1], data[0])
    with pytest.raises(ShapeError, match="symbolic"):
        _trace([nx.f32["n", 3]], lambda x: [indexing.getitem(x, -1)])
    with pytest.raises(ShapeError, match="only ':' can index it"):
        _trace([nx.f32["n", 3]], lambda x: [indexing.getitem(x, slice(1, None))])
