# A defn cannot be a generator.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-yield.py:[[@LINE+1]]:5: error: yield is not supported inside defn; defn functions cannot be generators
    yield a
