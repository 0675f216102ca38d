# Branch results are made to one type by Nx's rules: types promote, shapes
# broadcast, and a number takes the type of the tensor in the other branch.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @join
@nx.defn
def join(x: nx.f32[3], y: nx.f64, i: nx.s32, p: nx.u8):
    # CHECK: cond(%p) : f64[3], f32 ({
    if p:
        # CHECK: as_type(%x) {type = f64} : f64[3]
        a = x
        # CHECK: as_type(%i) {type = f32} : f32
        b = i
    else:
        # CHECK: }, {
        # CHECK: broadcast(%y) {shape = (3), axes = (), names = none} : f64[3]
        a = y
        # CHECK: constant() {value = dense<f32: 1.5>} : f32
        b = 1.5
    return a, b
