# Too many arguments for an nx function.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(x: nx.f32[3]):
    # CHECK: {{.*}}error-nx-arity.py:[[@LINE+1]]:12: error: wrong arguments for nx.exp: too many positional arguments
    return nx.exp(x, x)
