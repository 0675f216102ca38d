# Attribute assignment is rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-attr-assign.py:[[@LINE+1]]:5: error: attribute assignment is not supported inside defn
    a.names = ("x",)
    return a
