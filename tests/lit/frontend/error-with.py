# with statements are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-with.py:[[@LINE+1]]:5: error: with statements are not supported inside defn
    with open("log") as fh:
        fh.write("x")
    return a
