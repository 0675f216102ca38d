# raise is rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-raise.py:[[@LINE+1]]:5: error: raise statements are not supported inside defn; use assert on static values
    raise ValueError("no")
