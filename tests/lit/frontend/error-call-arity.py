# A call of a defn with a missing argument.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def dense(x, w, b):
    return x @ w + b


@nx.defn
def f(x: nx.f32[3], w: nx.f32[3, 2]):
    # CHECK: {{.*}}error-call-arity.py:[[@LINE+1]]:12: error: wrong arguments for dense(x, w, b): missing a required argument: {{.*}}b{{.*}}
    return dense(x, w)
