# match statements are rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3], *, mode="x"):
    # CHECK: {{.*}}error-match.py:[[@LINE+1]]:5: error: match statements are not supported inside defn; use if/elif/else
    match mode:
        case "x":
            return a
    return -a
