# Differentiating through integer division is an error located at the division.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def halves(t):
    # CHECK: {{.*}}error-quotient.py:[[@LINE+1]]:13: error: cannot differentiate through quotient: {{.*}} nx.floor(nx.divide(a, b)){{.*}}nx.stop_grad
    return (nx.as_type(t, nx.s32) // 2) * t


@nx.defn
def f(x: nx.f32[3]):
    return nx.grad(lambda t: nx.sum(halves(t)))(x)
