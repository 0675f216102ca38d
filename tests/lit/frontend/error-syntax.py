# A Python syntax error is reported like any other error.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-syntax.py:[[@LINE+1]]:16: error: invalid Python syntax in {{.*}}error-syntax.py: {{.*}}
    return a + * 2
