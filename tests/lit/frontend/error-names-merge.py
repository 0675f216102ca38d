# Different names on the same axis do not merge.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32["batch": 3], b: nx.f32["time": 3]):
    # CHECK: {{.*}}error-names-merge.py:[[@LINE+1]]:12: error: cannot merge name {{.*}}batch{{.*}} on axis 0 with name {{.*}}time{{.*}} on axis 0
    return a * b
