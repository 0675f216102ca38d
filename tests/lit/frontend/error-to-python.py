# Converting a tensor to a Python number is impossible at compile time.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-to-python.py:[[@LINE+1]]:12: error: float() of a tensor is not available inside defn: {{.*}}nx.as_type
    return float(nx.sum(a))
