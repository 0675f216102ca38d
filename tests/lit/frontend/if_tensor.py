# An if on a scalar tensor is a cond op; the variables its branches assign
# that are used afterwards are its results.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @branch
@nx.defn
def branch(x: nx.f32[3]):
    # CHECK: %[[P:.*]] = greater(%{{.*}}, %{{.*}}) : u8 loc("{{.*}}if_tensor.py":[[@LINE+2]]:8)
    # CHECK: %y = cond(%[[P]]) : f32[3] ({
    if nx.sum(x) > 0:
        # CHECK: %[[T:.*]] = multiply(%x
        # CHECK: yield %[[T]]
        y = x * 2
        unused = x + 1  # noqa: F841  (not used after: not a result)
    else:
        # CHECK: }, {
        # CHECK: %[[E:.*]] = subtract(%x
        # CHECK: yield %[[E]]
        y = x - 1
    # CHECK: }) loc("{{.*}}if_tensor.py":12:5)
    # CHECK: return %y
    return y


# A variable assigned in one branch keeps its value in the other.
# CHECK-LABEL: func @one_branch
@nx.defn
def one_branch(x: nx.f32[3], flag: nx.u8):
    y = x
    # CHECK: %y = cond(%flag) : f32[3] ({
    if flag:
        # CHECK: yield %[[N:.*]]
        y = -x
    # CHECK: }, {
    # CHECK-NEXT: yield %x
    # CHECK: return %y
    return y
