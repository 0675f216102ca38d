# Loop state that changes type.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], n: nx.s32):
    i = nx.sum(a)
    while i < n:
        # CHECK: {{.*}}error-loop-dtype.py:[[@LINE+1]]:9: error: loop variable i changes type in the loop: f32 before the body, f64 after it; a loop{{.*}}s state must keep its shape, type and names
        i = nx.as_type(i, nx.f64) + 1
    return i
