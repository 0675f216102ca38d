# A type an op does not accept.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(z: nx.c64[2]):
    # CHECK: {{.*}}error-dtype.py:[[@LINE+1]]:12: error: erf does not accept c64
    return nx.erf(z)
