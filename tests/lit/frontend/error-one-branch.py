# A variable assigned in only one branch of a tensor if.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], p: nx.u8):
    if p:
        b = a * 2
    # CHECK: {{.*}}error-one-branch.py:[[@LINE+1]]:12: error: b is assigned in only one branch of the if at line [[@LINE-2]], so it has no value after it when the other runs
    return b
