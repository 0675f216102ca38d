# A devectorized tensor names its leading axes after the vectorized ones; adding
# it to a tensor with another name on that axis is Nx's name-merge error, at
# the addition.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(x: nx.f32[4, 3], t: nx.f32["time": 4, 3]):
    v = nx.vectorize(x, "batch")
    # CHECK: {{.*}}error-names-merge.py:[[@LINE+3]]:12: error: cannot merge name 'batch' on axis 0 with name 'time' on axis 0
    # CHECK-NEXT: {{^}}    return nx.devectorize(v * 2) + t{{$}}
    # CHECK-NEXT: {{^}}           ^{{$}}
    return nx.devectorize(v * 2) + t
