# while on a tensor condition: the state is the variables the body assigns that
# are defined before the loop and used in it or after it.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @power(%x: f32[3], %n: s32) -> f32[3]
@nx.defn
def power(x: nx.f32[3], n: nx.s32):
    acc = x
    # A Python number the condition reads and the body assigns is state: a tensor.
    # CHECK: %[[I:.*]] = constant() {value = dense<s32: 1>} : s32
    i = 1
    # CHECK: %[[W:.*]]:2 = while(%x, %[[I]]) : f32[3], s32 ({
    # CHECK-NEXT: ^(%acc: f32[3], %i: s32):
    # CHECK-NEXT: %[[C:.*]] = less(%i, %n) : u8 loc("{{.*}}while.py":[[@LINE+3]]:11)
    # CHECK-NEXT: yield %[[C]]
    # CHECK-NEXT: }, {
    while i < n:
        # CHECK-NEXT: ^(%acc.1: f32[3], %i.1: s32):
        # CHECK-NEXT: %acc.2 = multiply(%acc.1, %x)
        acc = acc * x
        tmp = i + 1
        i = tmp
        # CHECK: yield %acc.2, %{{.*}} loc("{{.*}}while.py":[[@LINE-6]]:5)
    # CHECK: return %[[W]]#0
    return acc
