# Branches whose results do not broadcast to one type.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], b: nx.f32[4]):
    # CHECK: {{.*}}error-branches.py:[[@LINE+1]]:5: error: the branches of this if give c the types f32[3] and f32[4], which do not broadcast to one type
    if nx.sum(a) > 0:
        c = a
    else:
        c = b
    return c
