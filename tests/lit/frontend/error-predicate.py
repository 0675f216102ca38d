# The condition of an if must be a scalar.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-predicate.py:[[@LINE+1]]:8: error: the condition of an if must be a scalar tensor, got u8[3]; use nx.select
    if a > 0:
        a = -a
    return a
