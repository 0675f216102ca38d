# break is rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], n: nx.s32):
    i = 0
    while i < n:
        i = i + 1
        # CHECK: {{.*}}error-break.py:[[@LINE+1]]:9: error: break is not supported inside defn; a while loop ends when its condition is false
        break
    return a
