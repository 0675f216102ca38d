"""Modules of one-op functions, the unit the op conformance tests compile."""
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module


def one_op_module(name: str, cases) -> Module:
    """A module with one function per case, a case being (function name, op
    name, operand types, attributes, ...): what follows is the caller's."""
    m = Module(name=name)
    b = Builder()
    for fname, op, types, attrs, *_ in cases:
        fn = b.function(m, fname, list(types))
        with b.at(fn.body):
            r = b.op(op, *fn.params, **attrs)
            b.terminate("return", r if isinstance(r, list) else [r])
    return m
