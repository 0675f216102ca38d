# dict literals are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-dict.py:[[@LINE+1]]:13: error: dict literals are not supported inside defn; use tuples
    table = {"a": a}
    return a
