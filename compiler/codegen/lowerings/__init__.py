"""The CPU lowering of every op: one function per op name, in `LOWERINGS`.

A lowering gets the function emitter, the IR operation and the MLIR values of
its operands, and returns the MLIR value of each result (one value, or a list).
It must compute exactly what the op's reference does (`compiler/ir/ops`); the
conformance test compiles every op's samples and compares with the interpreter.
"""
from __future__ import annotations

LOWERINGS: dict = {}


def lowering(*names):
    """Decorator: the decorated function lowers the ops `names`."""
    def deco(fn):
        for name in names:
            if name in LOWERINGS:
                raise ValueError(f"op {name} has two lowerings")
            LOWERINGS[name] = fn
        return fn
    return deco


from . import (autodiff, cast, control, creation, elementwise, linalg,  # noqa: E402,F401
               reductions, shape)
from . import indexing  # noqa: E402,F401
from . import bitwise, complex_parts, predicates, unary_math  # noqa: E402,F401
from . import cumulative, folds, sorting, windows  # noqa: E402,F401
from . import conv  # noqa: E402,F401
from . import hooks  # noqa: E402,F401
