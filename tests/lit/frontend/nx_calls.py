# nx functions with their keyword options; axis names are accepted anywhere
# an axis is.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @calls
@nx.defn
def calls(x: nx.f32["rows": 2, "cols": 3], p: nx.u8[2, 3]):
    # CHECK: sum(%x) {axes = (1), keep_axes = true} : f32[rows: 2][cols: 1]
    s = nx.sum(x, axes=["cols"], keep_axes=True)
    # CHECK: reshape(%x) {shape = (3, 2), names = none} : f32[3][2]
    r = nx.reshape(x, (3, 2))
    # CHECK: transpose(%x) {axes = (1, 0)} : f32[cols: 3][rows: 2]
    t = nx.transpose(x)
    # CHECK: as_type(%x) {type = f64} : f64[rows: 2][cols: 3]
    c = nx.as_type(x, nx.f64)
    # CHECK: select(%p, %x, %{{.*}}) : f32[rows: 2][cols: 3]
    m = nx.select(p, x, 0.0)
    # CHECK: iota() {type = tensor<s32[2][3]>, axis = 1} : s32[2][3]
    i = nx.iota((2, 3), axis=1)
    return s, r, t, c, m, i
