# A return inside an if on a tensor: the statements after the if run in the
# branch that falls through, and the cond gives the function's result.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @early(%x: f32[3]) -> f32[3]
@nx.defn
def early(x: nx.f32[3]):
    # CHECK: %[[R:.*]] = cond(%{{.*}}) : f32[3] ({
    if nx.sum(x) > 0:
        # CHECK-NEXT: yield %x loc("{{.*}}if_return.py":[[@LINE+1]]:9)
        return x
    # CHECK-NEXT: }, {
    # CHECK: %y = multiply(%x
    y = x * 2
    # CHECK: %[[N:.*]] = negate(%y)
    # CHECK-NEXT: yield %[[N]] loc("{{.*}}if_return.py":[[@LINE+1]]:5)
    return -y
    # CHECK: return %[[R]]


# Returns in both branches, one of them a tuple-shaped result.
# CHECK-LABEL: func @both(%x: f32[3]) -> (f32[3], s32)
@nx.defn
def both(x: nx.f32[3]):
    # CHECK: cond(%{{.*}}) : f32[3], s32 ({
    if x[0] > 0:
        return x, 1
    else:
        return -x, -1
