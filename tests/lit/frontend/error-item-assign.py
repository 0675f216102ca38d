# Tensors are immutable: item assignment is rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-item-assign.py:[[@LINE+1]]:5: error: item assignment is not supported inside defn: tensors are immutable; use nx.put_slice
    a[0] = 1.0
    return a
