# Stages after the IR are not available yet: a clear error, not a crash.
# RUN: not %nxc compile %s --emit mlir 2>&1 | FileCheck %s --check-prefix=MLIR
# RUN: not %nxc compile %s 2>&1 | FileCheck %s --check-prefix=ARTIFACT
# MLIR: error: --emit mlir is not available yet: this version of nxc compiles to the IR only; use --emit ir
# ARTIFACT: error: a compiled artifact (the default output) is not available yet
# MLIR-NOT: Traceback
# ARTIFACT-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    return a
