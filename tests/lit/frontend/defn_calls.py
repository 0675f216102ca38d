# Calls to other @defn functions of the file are inlined, with their options;
# the ops they make are located in the callee (line 10).
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


@nx.defn
def scale(x, *, by=2.0):
    """Not compiled on its own: x has no annotation."""
    return x * by


# CHECK-NOT: func @scale
# CHECK-LABEL: func @caller(%x: f32[3]) -> f32[3]
@nx.defn
def caller(x: nx.f32[3]):
    # CHECK: %[[TWO:.*]] = constant() {value = dense<f32: 2.0>} : f32 loc("{{.*}}defn_calls.py":10:12)
    # CHECK: %[[Y:.*]] = multiply(%x, %[[TWO]]) : f32[3] loc("{{.*}}defn_calls.py":10:12)
    # CHECK: %[[TEN:.*]] = constant() {value = dense<f32: 10.0>}
    # CHECK: %[[Z:.*]] = multiply(%[[Y]], %[[TEN]]) : f32[3] loc("{{.*}}defn_calls.py":10:12)
    # CHECK: return %[[Z]] loc("{{.*}}defn_calls.py":[[@LINE+1]]:5)
    return scale(scale(x), by=10.0)
# CHECK-NOT: func @scale
