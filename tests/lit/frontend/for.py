# for i in range(start, stop, step) with static bounds: a for op whose body
# takes the s32 index, then the state.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @series(%x: f32[3]) -> f32[3]
@nx.defn
def series(x: nx.f32[3], *, n=5):
    # CHECK: for(%x) {start = 1, stop = 5, step = 2} : f32[3] ({
    # CHECK-NEXT: ^(%i: s32, %y: f32[3]):
    # CHECK-NEXT: %[[F:.*]] = as_type(%i) {type = f32} : f32
    # CHECK: yield
    # CHECK-NEXT: }) loc("{{.*}}for.py":[[@LINE+2]]:5)
    y = x
    for i in range(1, n, 2):
        y = y + nx.as_type(i, nx.f32) * x
    return y


# An empty range still lowers its body; the index after the loop is Python's.
# CHECK-LABEL: func @countdown(%x: f32[3]) -> (f32[3], s32)
@nx.defn
def countdown(x: nx.f32[3]):
    # CHECK: for(%x) {start = 3, stop = 0, step = -1}
    for j in range(3, 0, -1):
        x = x * 2
    # CHECK: constant() {value = dense<s32: 1>} : s32
    return x, j
