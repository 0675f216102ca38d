# Every stage after the IR is available from the CLI: MLIR, LLVM IR, assembly.
# RUN: %nxc compile %s --emit mlir | FileCheck %s --check-prefix=MLIR
# RUN: %nxc compile %s --emit llvm | FileCheck %s --check-prefix=LLVM
# RUN: %nxc compile %s --emit asm | FileCheck %s --check-prefix=ASM
# RUN: not %nxc compile %s --emit obj 2>&1 | FileCheck %s --check-prefix=OBJ
# MLIR: loc("{{.*}}emit-stages.py":[[@LINE+13]]:12)
# MLIR: func.func
# MLIR: linalg.generic
# MLIR: arith.addf
# LLVM: define {{.*}}@emit_stages_twice
# LLVM: fadd
# ASM: emit_stages_twice:
# OBJ: --emit obj writes binary object code: name the file with -o
import nxc as nx


@nx.defn
def twice(a: nx.f32[3]):
    return a + a
