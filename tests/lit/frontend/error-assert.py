# A static assertion that fails, with its message.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-assert.py:[[@LINE+1]]:5: error: assertion failed: need a matrix
    assert a.rank == 2, "need a matrix"
    return a
