# A called defn whose annotation the argument does not match.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def norm(v: nx.f32["n"]):
    return v / nx.sum(v)


@nx.defn
def f(m: nx.f32[2, 2]):
    # CHECK: {{.*}}error-callee-type.py:[[@LINE+1]]:12: error: norm expects v: f32[n: ?n], got f32[2][2]
    return norm(m)
