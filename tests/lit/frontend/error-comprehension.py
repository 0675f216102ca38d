# Comprehensions cannot iterate over tensors.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-comprehension.py:[[@LINE+1]]:24: error: cannot iterate over a tensor (f32[3]) inside defn
    return [x for x in a]
