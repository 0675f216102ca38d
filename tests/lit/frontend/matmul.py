# `@` is nx.dot: the last axis of the left side with the second-to-last of the right.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @matmul(%x: f32[batch: ?batch][4], %w: f32[4][3]) -> f32[batch: ?batch][3]
@nx.defn
def matmul(x: nx.f32["batch", 4], w: nx.f32[4, 3]):
    # CHECK: dot(%x, %w) {contract_axes = ((1), (0)), batch_axes = ((), ())} : f32[batch: ?batch][3] loc("{{.*}}matmul.py":[[@LINE+1]]:12)
    return x @ w


# CHECK-LABEL: func @vector
@nx.defn
def vector(v: nx.f32[4], u: nx.f32[4]):
    # CHECK: dot(%v, %u) {{.*}} : f32
    return v @ u
