"""Python operators inside defn.

On tensors an operator calls what `nx.Tensor`'s operator methods call
(`nxc.operators.binary(symbol, ...)`), so `x + y` means the same in eager code
and in defn; `not`, `and` and `or`, which Python gives no method, are the
logical ops. On static Python values an operator is Python's own: it runs at
compile time.
"""
from __future__ import annotations

import ast
import operator

# ast operator -> (symbol of nxc.operators, Python's operator on static values)
BINARY = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
    ast.Pow: ("**", operator.pow),
    ast.MatMult: ("@", operator.matmul),
    ast.BitAnd: ("&", operator.and_),
    ast.BitOr: ("|", operator.or_),
    ast.BitXor: ("^", operator.xor),
    ast.LShift: ("<<", operator.lshift),
    ast.RShift: (">>", operator.rshift),
}

COMPARE = {
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    # Identity and membership have no tensor meaning: static values only.
    ast.Is: ("is", operator.is_),
    ast.IsNot: ("is not", operator.is_not),
    ast.In: ("in", lambda a, b: a in b),
    ast.NotIn: ("not in", lambda a, b: a not in b),
}
STATIC_ONLY = ("is", "is not", "in", "not in")

# ast unary operator -> (symbol of nxc.operators or an nx function, Python's operator)
UNARY = {
    ast.USub: ("-", operator.neg),
    ast.UAdd: ("+", operator.pos),  # +x is x
    ast.Invert: ("~", operator.invert),
    ast.Not: ("logical_not", operator.not_),
}

BOOLEAN = {
    ast.And: "logical_and",
    ast.Or: "logical_or",
}
