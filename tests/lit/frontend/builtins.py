# Builtins: abs, min and max are element-wise on tensors; len is the static size
# of the first axis; on static values they are Python's.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @builtins
@nx.defn
def builtins(x: nx.f32[4, 2], y: nx.f32[2]):
    # CHECK: abs(%x) : f32[4][2]
    a = abs(x)
    # CHECK: max(%a, %y) : f32[4][2]
    # CHECK: %[[ONE:.*]] = constant() {value = dense<f32: 1.0>} : f32
    # CHECK: min({{.*}}, %[[ONE]]) : f32[4][2]
    m = min(max(a, y), 1.0)
    n = len(x) * 1.0 + max(-3, min(2, 7)) - 2
    # sum's start is the same constant 1.0 (merged by the simplifier).
    # CHECK: %[[S1:.*]] = add(%[[ONE]], %y) : f32[2]
    # CHECK: add(%[[S1]], %y) : f32[2]
    s = sum((y, y), 1.0)
    # Static values are materialized where they are returned.
    # CHECK: constant() {value = dense<f32: 4.0>} : f32
    return m, n, s
