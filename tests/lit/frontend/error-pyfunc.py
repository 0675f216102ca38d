# Plain Python functions cannot be called inside defn.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


def helper(x):
    return x * 2


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-pyfunc.py:[[@LINE+1]]:16: error: helper is a Python function, not a defn: {{.*}}(mark helper with @nx.defn)
    return 1 + helper(a)
