# for loops iterate over range(...) only.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    s = 0.0
    # CHECK: {{.*}}error-for-iter.py:[[@LINE+1]]:14: error: for loops inside defn iterate over range(...) with static bounds
    for x in a:
        s = s + x
    return s
