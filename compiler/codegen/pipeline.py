"""The MLIR pass pipeline of the CPU target, and translation to LLVM IR.

Tensors -> buffers (one-shot bufferization computes into the caller's output
buffers; temporaries are freed by the ownership-based deallocation, whose
dealloc ops deallocs.py lowers) -> loops -> LLVM dialect -> LLVM IR text. A pass that fails reports the MLIR location of the
op it failed on, which carries the user's file:line:col from the IR.
"""
from __future__ import annotations

import re

from mlir import ir, passmanager
from mlir.dialects import linalg
from mlir.dialects import llvm as llvm_dialect

from nxc.compiler.ir.core import Loc
from nxc.runtime.errors import CompileError

from nxc.compiler import timing
from .deallocs import lower_deallocs
from .rewrite import rewrite_ops
from . import parallel

# (name, MLIR passes, then a rewrite of ours or None): the stages
# `--print-ir-after` can name.
CPU_PIPELINE = [
    ("bufferize", "eliminate-empty-tensors,"
                  "one-shot-bufferize{unknown-type-conversion=identity-layout-map "
                  "allow-return-allocs-from-loops},"
                  "expand-realloc,ownership-based-buffer-deallocation,canonicalize,"
                  "buffer-deallocation-simplification", "deallocs"),
    ("loops", "cse,canonicalize,convert-bufferization-to-memref,convert-linalg-to-loops",
     None),
    ("complex", "convert-complex-to-standard", None),
    ("expand", "expand-strided-metadata,lower-affine", None),
    ("llvm", "convert-scf-to-cf,"
             "convert-math-to-llvm{approximate-log1p=false},convert-math-to-libm,"
             "convert-complex-to-llvm,finalize-memref-to-llvm,convert-arith-to-llvm,"
             "convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts", None),
]

STAGES = [name for name, _, _ in CPU_PIPELINE]


def lower_to_llvm_dialect(module: ir.Module, *, print_after=None, out=None):
    """Run the CPU pipeline in place. `print_after` (a stage name) writes the module
    after that stage to `out` (a callable taking text)."""
    with module.context:
        for name, passes, rewrite in timing.timed(CPU_PIPELINE, lambda s: s[0], "mlir "):
            pm = passmanager.PassManager.parse(f"builtin.module({passes})")
            try:
                pm.run(module.operation)
            except ir.MLIRError as e:
                raise diagnostic_error(e, name) from None
            if rewrite == "deallocs":
                lower_deallocs(module)
                copies_to_linalg(module)
                parallel.outline(module)
            if print_after == name and out is not None:
                out(str(module))


def copies_to_linalg(module: ir.Module):
    """Replace each memref.copy by a linalg.copy, which becomes loops.

    memref.copy of a strided view lowers to a call into MLIR's C runner
    library, which artifacts do not ship; loops need nothing (LLVM turns the
    contiguous ones into memcpy).
    """
    def to_linalg(op):
        source, target = op.operands
        linalg.copy(source, outs=[target])
    rewrite_ops(module, "memref.copy", to_linalg)


def translate(module: ir.Module) -> str:
    """LLVM IR text of a module in the LLVM dialect. The support functions it
    calls are declared, not defined: see support.py."""
    with module.context:
        return llvm_dialect.translate_module_to_llvmir(module.operation)


_FILE_LOC = re.compile(r'loc\("(?P<file>(?:[^"\\]|\\.)*)":(?P<line>\d+):(?P<col>\d+)')


def diagnostic_error(e: "ir.MLIRError", stage: str) -> CompileError:
    """A CompileError at the user's location of the first diagnostic that has one."""
    diags = list(getattr(e, "error_diagnostics", []) or [])
    loc, messages = None, []
    for d in diags:
        messages.append(str(d.message))
        if loc is None:
            m = _FILE_LOC.search(str(d.location))
            if m:
                loc = Loc(m.group("file"), int(m.group("line")), int(m.group("col")))
    detail = "; ".join(messages) or str(e)
    return CompileError(f"the CPU backend failed at stage {stage}: {detail}", loc)
