# // is Nx quotient: integers only.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[2]):
    # CHECK: {{.*}}error-quotient.py:[[@LINE+1]]:17: error: // is Nx{{.*}}quotient{{.*}} got f32 and s32
    return 1 + (a // 2)
