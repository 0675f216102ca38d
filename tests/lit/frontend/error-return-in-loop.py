# return inside a loop.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-return-in-loop.py:[[@LINE+1]]:5: error: return inside a for loop is not supported inside defn
    for i in range(3):
        return a
    return a
