"""Python operators mean the same inside defn as on eager tensors: the frontend
calls what nx.Tensor's operator methods call."""
import operator

import numpy as np
import pytest

import nxc as nx
from nxc.runtime.errors import CompileError, NxcError

BINARY = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "%": operator.mod, "**": operator.pow, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}


def defn_of(symbol):
    """A defn applying `symbol` (its source has to be in a file: one per operator)."""
    return {
        "+": nx.jit(lambda a, b: a + b), "-": nx.jit(lambda a, b: a - b),
        "*": nx.jit(lambda a, b: a * b), "/": nx.jit(lambda a, b: a / b),
        "%": nx.jit(lambda a, b: a % b), "**": nx.jit(lambda a, b: a ** b),
        "<": nx.jit(lambda a, b: a < b), "<=": nx.jit(lambda a, b: a <= b),
        ">": nx.jit(lambda a, b: a > b), ">=": nx.jit(lambda a, b: a >= b),
        "==": nx.jit(lambda a, b: a == b), "!=": nx.jit(lambda a, b: a != b),
        "//": nx.jit(lambda a, b: a // b), "@": nx.jit(lambda a, b: a @ b),
        "&": nx.jit(lambda a, b: a & b), "|": nx.jit(lambda a, b: a | b),
        "^": nx.jit(lambda a, b: a ^ b), "<<": nx.jit(lambda a, b: a << b),
        ">>": nx.jit(lambda a, b: a >> b), "~": nx.jit(lambda a, b: ~a),
    }[symbol]


OPERANDS = [
    (np.array([5, -7, 9], np.int32), np.array([2, 3, -4], np.int32)),
    (np.array([1.5, -2.0, 3.0], np.float32), np.array([0.5, 4.0, -1.0], np.float32)),
    (np.array([200, 7, 1], np.uint8), np.array([3, -2, 5], np.int8)),
]


@pytest.mark.parametrize("symbol", sorted(BINARY))
@pytest.mark.parametrize("case", range(len(OPERANDS)))
def test_binary_operators_match_eager_tensors(symbol, case):
    a, b = OPERANDS[case]
    eager = BINARY[symbol](nx.tensor(a), b)
    traced = defn_of(symbol)(a, b)
    assert traced.type == eager.type
    np.testing.assert_array_equal(np.asarray(traced), np.asarray(eager))


def test_quotient_and_dot_match_eager_tensors():
    a, b = OPERANDS[0]
    assert defn_of("//")(a, b).tolist() == (nx.tensor(a) // b).tolist() == [2, -2, -2]
    m = np.arange(6, dtype=np.float32).reshape(2, 3)
    v = np.array([1.0, -1.0, 2.0], np.float32)
    np.testing.assert_array_equal(np.asarray(defn_of("@")(m, v)), np.asarray(nx.tensor(m) @ v))


BITWISE = {"&": operator.and_, "|": operator.or_, "^": operator.xor,
           "<<": operator.lshift, ">>": operator.rshift, "~": lambda a, b: ~a}


@pytest.mark.parametrize("symbol", sorted(BITWISE))
def test_bitwise_operators_match_eager_tensors_and_numpy(symbol):
    a, b = np.array([5, -7, 9, -128], np.int32), np.array([2, 3, 1, 4], np.int32)
    eager = BITWISE[symbol](nx.tensor(a), b)
    traced = defn_of(symbol)(a, b)
    assert traced.type == eager.type
    assert np.asarray(traced).tolist() == np.asarray(eager).tolist() == \
        BITWISE[symbol](a, b).tolist()


@pytest.mark.parametrize("symbol", ["//", "&"])
def test_operator_errors_match_eager_tensors(symbol):
    a = np.array([1.0, 2.0], np.float32)
    with pytest.raises(NxcError) as eager:
        {"//": operator.floordiv, "&": operator.and_}[symbol](nx.tensor(a), a)
    with pytest.raises(CompileError) as traced:
        defn_of(symbol)(a, a)
    assert traced.value.message == str(eager.value)
    assert traced.value.kind is type(eager.value)
