# Tensors cannot be unpacked like tuples.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[2]):
    # CHECK: {{.*}}error-unpack-tensor.py:[[@LINE+1]]:5: error: cannot unpack a tensor (f32[2]) inside defn
    x, y = a
    return x
