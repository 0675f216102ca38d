# An undefined name.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-unknown-name.py:[[@LINE+1]]:16: error: name {{.*}}scale{{.*}} is not defined
    return a * scale
