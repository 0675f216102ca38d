# nxc compile needs a type for every parameter of the functions it is asked for.
# RUN: not %nxc compile %s --emit ir --function f 2>&1 | FileCheck %s
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s --check-prefix=NONE
# RUN: not %nxc compile %s --emit ir --function g 2>&1 | FileCheck %s --check-prefix=MISSING
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
# CHECK: {{.*}}error-unannotated.py:[[@LINE+1]]:21: error: parameter b of f has no type annotation; nxc compile needs one for every parameter (like b: nx.f32[3])
def f(a: nx.f32[3], b):
    return a + b
# NONE: error: no fully annotated @defn function to compile
# MISSING: error: {{.*}}error-unannotated.py has no @defn or exported function named g; its functions are f
