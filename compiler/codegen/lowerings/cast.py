"""as_type: element-wise conversion with Nx semantics (see scalar.convert)."""
from __future__ import annotations

from .. import fusion
from .. import scalar as S
from . import lowering

fusion.ELEMENTWISE.add("as_type")


@lowering("as_type")
def _as_type(em, op, x):
    src = op.operands[0].type
    dst = op.result.type.dtype
    return em.elementwise(op.result.type, [(x, src)], lambda a: S.convert(a, src.dtype, dst))
