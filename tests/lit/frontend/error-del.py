# del is rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    b = a + 1
    # CHECK: {{.*}}error-del.py:[[@LINE+1]]:5: error: del statements are not supported inside defn
    del b
    return a
