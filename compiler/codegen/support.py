"""Native support code that generated code calls, linked into its LLVM IR.

Lowerings call support functions by declaring them (`gemm.symbol`, the
dispatchers of parallel.py); after translation to LLVM IR, `link` replaces
each such declaration by the function's definition (and those of the thread
support it needs), so the artifact stays one self-contained library.
"""
from __future__ import annotations

import re

from . import gemm, parallel, threads_ir


def link(text: str) -> str:
    """LLVM IR `text` with the support functions it declares defined."""
    text, bodies = parallel.dispatch_ir(text)
    decls = {}
    for dt in gemm.SHAPES:
        declared = re.compile(rf"^declare\b[^\n]*@{gemm.symbol(dt)}\([^\n]*\n?", re.M)
        if declared.search(text):
            text = declared.sub("", text)
            bodies.append(gemm.gemm_ir(dt))
            decls.update(gemm.declarations(dt))
    if not bodies:
        return text
    bodies.insert(0, threads_ir.THREADS_IR)
    decls.update(threads_ir.THREADS_DECLS)
    text += "\n" + "\n\n".join(bodies)
    return text + "\n" + threads_ir.missing_declarations(text, decls) + "\n"
