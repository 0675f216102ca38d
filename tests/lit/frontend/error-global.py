# global and nonlocal are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


COUNT = 0


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-global.py:[[@LINE+1]]:5: error: global declarations are not supported inside defn
    global COUNT
    return a
