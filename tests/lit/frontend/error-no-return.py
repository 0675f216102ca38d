# A defn must return a value.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


# CHECK: {{.*}}error-no-return.py:[[@LINE+2]]:1: error: f must return a tensor or a tuple of tensors
@nx.defn
def f(a: nx.f32[3]):
    b = a + 1
