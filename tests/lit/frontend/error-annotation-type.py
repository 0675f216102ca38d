# An annotation that is not a type.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


# CHECK: {{.*}}error-annotation-type.py:[[@LINE+2]]:10: error: expected a tensor type annotation such as nx.f32 or nx.f32[3, 4], got 3
@nx.defn
def f(a: 3):
    return a
