# A while loop whose condition is static and true never ends.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-while-static.py:[[@LINE+1]]:11: error: the condition of this while loop is the static value True, so it would never end
    while True:
        a = a + 1
    return a
