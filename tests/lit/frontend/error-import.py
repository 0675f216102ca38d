# Imports inside a defn are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-import.py:[[@LINE+1]]:5: error: imports are not supported inside defn; import at module level
    import math
    return a * math.pi
