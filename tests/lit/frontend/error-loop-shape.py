# Loop state that changes shape.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    b = a
    for k in range(3):
        # CHECK: {{.*}}error-loop-shape.py:[[@LINE+1]]:9: error: loop variable b changes type in the loop: f32[3] before the body, f32[2][3] after it
        b = nx.stack([b, b])
    return b
