# try statements are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-try.py:[[@LINE+1]]:5: error: try statements are not supported inside defn
    try:
        b = a
    except ValueError:
        b = -a
    return b
