# A state variable that starts as a Python number takes the type the body
# gives it: acc = 0.0 becomes zeros of the body's type (f64[2] here).
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @total(%x: f64[2], %n: s32) -> (f64[2], s32)
@nx.defn
def total(x: nx.f64[2], n: nx.s32):
    # CHECK: %[[Z:.*]] = constant() {value = dense<f64: 0.0>} : f64
    # CHECK: %[[B:.*]] = broadcast(%[[Z]]) {shape = (2), {{.*}}} : f64[2]
    # CHECK: while(%[[B]], %{{.*}}) : f64[2], s32
    acc = 0.0
    k = 0
    while k < n:
        acc = acc + x
        k = k + 1
    return acc, k
