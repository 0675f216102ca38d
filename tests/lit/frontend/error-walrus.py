# Assignment expressions are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-walrus.py:[[@LINE+1]]:13: error: assignment expressions (:=) are not supported inside defn
    return (b := a + 1)
