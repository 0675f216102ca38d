# A reshape to a different number of elements.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(x: nx.f32[2, 3]):
    y = x + 1
    # CHECK: {{.*}}error-reshape.py:[[@LINE+1]]:9: error: {{.*}}reshape{{.*}}
    z = nx.reshape(y, (4, 2))
    return z
