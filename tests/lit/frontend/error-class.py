# Class definitions are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-class.py:[[@LINE+1]]:5: error: class definitions are not supported inside defn
    class Box:
        pass
    return a
