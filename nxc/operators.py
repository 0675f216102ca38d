"""Python operators on tensors, with Nx's semantics rather than numpy's.

The table below is the whole mapping; tensors (and, through the same
functions, values being traced) use it for their operator methods. Where Nx
and Python disagree, Nx wins:

    a % b    remainder: the sign of the dividend (Python: of the divisor)
    a // b   quotient: integer division truncating toward zero; floats are an
             error (write nx.floor(a / b))
    a @ b    nx.dot: contracts the last axis of a with the second-to-last of b
             (numpy's dot, not matmul: no batching over leading axes)
    a < b    comparisons give u8 tensors of 0 and 1
    a & b, a | b, a ^ b, ~a, a << b, a >> b
             Nx's bitwise ops (integer types only; >> is arithmetic on signed
             types, logical on unsigned ones)
"""
from __future__ import annotations

from nxc.runtime.errors import DTypeError

from . import api
from ._dispatch import apply
from ._types import is_operand, type_of

BINARY = {
    "+": "add",
    "-": "subtract",
    "*": "multiply",
    "/": "divide",
    "**": "pow",
    "%": "remainder",
    "//": "quotient",
    "==": "equal",
    "!=": "not_equal",
    "<": "less",
    "<=": "less_equal",
    ">": "greater",
    ">=": "greater_equal",
    "&": "bitwise_and",
    "|": "bitwise_or",
    "^": "bitwise_xor",
    "<<": "left_shift",
    ">>": "right_shift",
}

UNARY = {"-": "negate", "abs": "abs", "~": "bitwise_not"}


def binary(symbol, left, right):
    """`left <symbol> right` with Nx semantics."""
    if symbol == "@":
        return api.dot(left, right)
    if symbol == "//":
        _check_integer_division(left, right)
    return apply(BINARY[symbol], left, right)


def unary(symbol, operand):
    return apply(UNARY[symbol], operand)


def methods(symbol):
    """The operator method and its reflected form (`1 - t` calls t.__rsub__(1))."""
    def method(self, other):
        if symbol in ("==", "!=") and not is_operand(other):
            return NotImplemented  # t == None is False, as for other objects
        return binary(symbol, self, other)

    def reflected(self, other):
        return binary(symbol, other, self)

    return method, reflected


def _check_integer_division(left, right):
    lt, rt = type_of(left), type_of(right)
    if lt.dtype.is_inexact or rt.dtype.is_inexact:
        raise DTypeError(
            f"// is Nx's quotient, integer division truncating toward zero, and needs "
            f"integer operands; got {lt.dtype} and {rt.dtype}. For floats write nx.floor(a / b)")
