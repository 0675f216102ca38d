# for loops need static bounds.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], n: nx.s32):
    # CHECK: {{.*}}error-for-bound.py:[[@LINE+1]]:20: error: the bounds of a for loop must be static ints, got a tensor s32; for a tensor bound use a while loop
    for i in range(n):
        a = a + 1
    return a
