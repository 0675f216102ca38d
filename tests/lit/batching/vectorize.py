# nx.vectorize inside defn: ops apply per entry and are located at the user's
# expressions; an if on a vectorized condition selects per entry; a while on one
# runs until every entry is done; a returned vectorized tensor is devectorized
# with its vectorized axes named.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @piecewise(%x: f32[4][3]) -> f32[rows: 4][3]
@nx.defn
def piecewise(x: nx.f32[4, 3]):
    # CHECK:      %[[V:.*]] = reshape(%x) {shape = (4, 3), names = ("rows", none)} : f32[rows: 4][3] loc("{{.*}}vectorize.py":[[@LINE+1]]:9)
    v = nx.vectorize(x, "rows")
    # CHECK-NEXT: %[[S:.*]] = sum(%[[V]]) {axes = (1), keep_axes = false} : f32[rows: 4] loc("{{.*}}vectorize.py":[[@LINE+3]]:8)
    # CHECK-NEXT: %[[Z:.*]] = constant() {value = dense<f32: 0.0>} : f32
    # CHECK-NEXT: %[[P:.*]] = greater(%[[S]], %[[Z]]) : u8[rows: 4] loc("{{.*}}vectorize.py":[[@LINE+1]]:8)
    if nx.sum(v) > 0:
        # CHECK:      %[[T:.*]] = multiply(%[[V]], %{{.*}}) : f32[rows: 4][3] loc("{{.*}}vectorize.py":[[@LINE+1]]:13)
        y = v * 2
    else:
        # CHECK-NEXT: %[[E:.*]] = negate(%[[V]]) : f32[rows: 4][3] loc("{{.*}}vectorize.py":[[@LINE+1]]:13)
        y = -v
    # CHECK-NEXT: %[[M:.*]] = new_axis(%[[P]]) {axis = 1, name = none} : u8[rows: 4][1] loc("{{.*}}vectorize.py":[[@LINE-6]]:5)
    # CHECK-NEXT: %[[Y:.*]] = select(%[[M]], %[[T]], %[[E]]) : f32[rows: 4][3] loc("{{.*}}vectorize.py":[[@LINE-7]]:5)
    # CHECK-NEXT: return %[[Y]]
    return y


# CHECK-LABEL: func @doubling(%x: f32[5], %limit: f32) -> (f32[n: 5], s32[n: 5])
# The loop runs while any entry's condition holds; finished entries keep their
# state. The limit is shared: it is not loop state.
# CHECK:      while(%v, %{{.*}}) : f32[n: 5], s32[n: 5] ({
# CHECK:      %[[C:.*]] = less({{.*}}) : u8[n: 5]
# CHECK-NEXT: any(%[[C]]) {axes = (0), keep_axes = false} : u8
# CHECK:      }, {
# CHECK:      select(
# CHECK:      select(
# CHECK:      })
@nx.defn
def doubling(x: nx.f32[5], limit: nx.f32):
    v = nx.vectorize(x, "n")
    steps = 0
    while v < limit:
        v = v * 2 + 1
        steps = steps + 1
    return v, steps
