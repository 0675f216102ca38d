# Indexing with static ints and slices: a strided slice, then a squeeze.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @index
@nx.defn
def index(x: nx.f32[4, 6]):
    # CHECK: slice(%x) {start_indices = (0, 0), lengths = (1, 6), strides = (1, 1)} : f32[1][6] loc("{{.*}}indexing.py":[[@LINE+2]]:9)
    # CHECK-NEXT: squeeze({{.*}}) {axes = (0)} : f32[6]
    a = x[0]
    # CHECK: slice(%x) {start_indices = (0, 1), lengths = (4, 2), strides = (1, 1)} : f32[4][2]
    b = x[:, 1:3]
    # CHECK: slice(%x) {start_indices = (0, 5), lengths = (4, 1), strides = (1, 1)} : f32[4][1]
    # CHECK-NEXT: squeeze({{.*}}) {axes = (1)} : f32[4]
    c = x[..., -1]
    # CHECK: slice(%x) {start_indices = (1, 0), lengths = (3, 6), strides = (2, 1)} : f32[2][6]
    d = x[1::2]
    # CHECK: new_axis(%x) {axis = 0, name = none} : f32[1][4][6]
    e = x[None]
    return a, b, c, d, e


# Static tuples index like Python, at compile time.
# CHECK-LABEL: func @static_index(%x: f32[4][6]) -> f32[4][6]
@nx.defn
def static_index(x: nx.f32[4, 6]):
    pair = (x, 2)
    # CHECK-NOT: slice
    # CHECK: return %x
    return pair[-2]
