# Methods that read host data are not available inside defn.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-host-method.py:[[@LINE+1]]:12: error: x.item() reads a tensor{{.*}}s data, which is only known when the function runs
    return a.item()
