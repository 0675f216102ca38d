# An if on a static value (an option, a shape) is decided at compile time:
# only the branch taken is lowered.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @act
@nx.defn
def act(x: nx.f32[2, 3], *, kind="relu"):
    if kind == "relu":
        # CHECK: max(%x
        y = nx.max(x, 0.0)
    elif kind == "tanh":
        y = nx.tanh(x)
    else:
        y = x
    # CHECK-NOT: tanh
    # CHECK-NOT: cond
    if x.shape[0] > 2:
        y = y * 2
    # CHECK: return
    return y
