# Annotations must be tensor types.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


# CHECK: {{.*}}error-annotation.py:[[@LINE+2]]:10: error: in f32[-1]: the size of axis 0 is negative (-1)
@nx.defn
def f(a: nx.f32[-1]):
    return a
