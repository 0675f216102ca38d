# Keyword-only parameters are static options: nxc compile uses their defaults.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @dense(%x: f32[batch: ?batch][4], %w: f32[4][2], %b: f32[2]) -> f32[batch: ?batch][2]
@nx.defn
def dense(x: nx.f32["batch", 4], w: nx.f32[4, 2], b: nx.f32[2], *, relu: bool = True,
          scale=1.0):
    y = x @ w + b
    if scale != 1.0:
        y = y * scale
    # CHECK: dot
    # CHECK-NEXT: add
    # CHECK-NEXT: constant
    # CHECK-NEXT: max
    # CHECK-NEXT: return
    return nx.max(y, 0.0) if relu else y
