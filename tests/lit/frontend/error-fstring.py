# f-strings are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-fstring.py:[[@LINE+1]]:12: error: f-strings are not supported inside defn
    name = f"{a}"
    return a
