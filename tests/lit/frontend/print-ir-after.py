# nxc compile runs the simplifier on the frontend's module (DCE, identities,
# CSE); --print-ir-after=simplify prints the IR after it to stderr; an unknown
# pass is a usage error that lists the passes.
# RUN: %nxc compile %s --emit ir --print-ir-after=simplify 2>&1 >/dev/null | FileCheck %s --check-prefix=AFTER
# RUN: %nxc compile %s --emit ir | FileCheck %s
# RUN: not %nxc compile %s --emit ir --print-ir-after=grad 2>&1 | FileCheck %s --check-prefix=UNKNOWN
import nxc as nx


# AFTER: // IR after simplify
# AFTER-NEXT: func @f(%x: f32[3]) -> f32[3]
# CHECK-LABEL: func @f(%x: f32[3]) -> f32[3]
# CHECK-NOT: sin
# CHECK-NOT: multiply
# CHECK: %[[E:.*]] = exp(%x) : f32[3]
# CHECK-NEXT: add(%[[E]], %[[E]]) : f32[3]
@nx.defn
def f(x: nx.f32[3]):
    unused = nx.sin(x)
    return nx.exp(x * 1.0) + nx.exp(x * 1.0)

# UNKNOWN: Error: --print-ir-after names unknown pass(es) ['grad']; the pipeline runs ['simplify']
