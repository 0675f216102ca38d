# elif is a cond nested in the else branch.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @sign
@nx.defn
def sign(x: nx.f32):
    # CHECK: cond(%{{.*}}) : s32 ({
    if x > 0:
        s = 1
    # CHECK: }, {
    # CHECK: cond(%{{.*}}) : s32 ({
    elif x < 0:
        s = -1
    else:
        s = 0
    return s
