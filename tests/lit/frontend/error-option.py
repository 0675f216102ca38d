# An option the nx function does not take.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(x: nx.f32[2, 3]):
    # CHECK: {{.*}}error-option.py:[[@LINE+1]]:12: error: wrong arguments for nx.sum: got an unexpected keyword argument {{.*}}axis{{.*}}
    return nx.sum(x, axis=0)
