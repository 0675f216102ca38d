# assert on a tensor value cannot be checked at compile time.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-assert-tensor.py:[[@LINE+1]]:12: error: assert needs a static condition
    assert nx.all(a > 0)
    return a
