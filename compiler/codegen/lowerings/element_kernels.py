"""Element-wise ops given as kernels on one element, for the lowerings of
unary_math, bitwise, complex_parts and predicates.

A kernel gets the emitter, the compute dtype `c` of the op's operand type and
the operands as compute values of that type; it returns a value of the dtype
`result(c)`, which is then converted to the op's result type. This is the
contract of compiler/codegen/lowerings/elementwise.py, restated here so that
these ops do not depend on that module's internals.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import func

from nxc.compiler.ir import dtypes

from .. import scalar as S
from ..mlir_types import compute_dtype, compute_type
from . import lowering


def same(t):
    return t


def libm(em, name: str, c, *args):
    """Call the C math library (`cbrtf` for f32, `cbrt` for f64) on compute values."""
    symbol = name + ("f" if c == dtypes.f32 else "")
    ty = compute_type(c)
    em.declare(symbol, [ty] * len(args), [ty])
    return func.call([ty], ir.FlatSymbolRefAttr.get(symbol), list(args))


def kernel_op(name, kernel, operand=same, result=same):
    """Register the lowering of element-wise op `name` computed by `kernel`.

    Operands are converted to `operand(promoted operand dtype)` with Nx's
    conversion, then widened to its compute type.
    """
    def lower(em, op, *xs):
        types = [v.type for v in op.operands]
        t = operand(dtypes.promote_all([tt.dtype for tt in types]))
        c = compute_dtype(t)
        out = op.result.type

        def body(*values):
            values = [S.load(S.convert(v, tt.dtype, t), t) for v, tt in zip(values, types)]
            return S.convert(kernel(em, c, *values), result(c), out.dtype)
        return em.elementwise(out, list(zip(xs, types)), body)
    lowering(name)(lower)
