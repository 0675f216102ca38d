# A conditional expression whose sides differ in structure.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], p: nx.u8):
    # CHECK: {{.*}}error-branch-structure.py:[[@LINE+1]]:12: error: the branches give values of different structure: a tuple of 2 and a tensor f32[3]
    return (a, a) if p else a
