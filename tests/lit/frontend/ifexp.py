# Conditional expressions: a static condition picks one side at compile time,
# a scalar tensor condition makes a cond.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @relu(%x: f32[2]) -> f32[2]
@nx.defn
def relu(x: nx.f32[2], *, on=True):
    # CHECK-NOT: cond
    # CHECK: max(%x, %{{.*}}) : f32[2] loc("{{.*}}ifexp.py":[[@LINE+1]]:12)
    return nx.max(x, 0.0) if on else x


# CHECK-LABEL: func @pick(%a: f32[2], %b: f32[2], %p: u8) -> f32[2]
@nx.defn
def pick(a: nx.f32[2], b: nx.f32[2], p: nx.u8):
    # CHECK: cond(%p) : f32[2] ({
    # CHECK-NEXT: yield %a
    # CHECK-NEXT: }, {
    # CHECK-NEXT: yield %b
    # CHECK-NEXT: }) loc("{{.*}}ifexp.py":[[@LINE+1]]:12)
    return a if p else b
