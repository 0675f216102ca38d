# x.shape, x.rank, x.dtype, x.names and x.size are static values: arithmetic on
# them, and on the options, runs at compile time.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @flat(%x: f64[rows: 2][3]) -> (f64[6], s32[3], f32)
@nx.defn
def flat(x: nx.f64["rows": 2, 3]):
    # CHECK: reshape(%x) {shape = (6), names = none} : f64[6]
    f = nx.reshape(x, (x.shape[0] * x.shape[-1],))
    # CHECK: iota() {type = tensor<s32[3]>, axis = none} : s32[3]
    i = nx.iota((x.rank + 1,))
    # CHECK: constant() {value = dense<f32: 6.0>} : f32
    return f, i, x.size * 1.0 if x.names[0] == "rows" and x.dtype == nx.f64 else 0.0


# Symbolic sizes stay symbolic.
# CHECK-LABEL: func @sym(%x: f32[n: ?n][2]) -> f32[2][n: ?n]
@nx.defn
def sym(x: nx.f32["n", 2]):
    # CHECK: reshape(%x) {shape = (2, ?n), names = (none, "n")}
    return nx.reshape(x, (x.shape[1], x.shape[0]), names=[None, "n"])
