# Shapes that do not broadcast: the type rule's error, at the expression.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], b: nx.f32[4]):
    # CHECK: {{.*}}error-shape.py:[[@LINE+4]]:12: error: cannot add f32[3] and f32[4]: dimension 0 differs (3 vs 4)
    # CHECK-NEXT: {{^}}    return a + b
    # CHECK-NEXT: {{^}}           ^
    # CHECK-NOT: error
    return a + b
