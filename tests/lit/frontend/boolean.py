# and / or / not on tensors are logical ops (both sides are evaluated); on
# static values they are Python's, decided at compile time.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @logic
@nx.defn
def logic(a: nx.u8[3], b: nx.u8[3]):
    # CHECK: logical_and(%a, %b) : u8[3]
    # CHECK: logical_or(%a, %b) : u8[3]
    # CHECK: logical_not(%a) : u8[3]
    return a and b, a or b, not a


# CHECK-LABEL: func @static_logic
@nx.defn
def static_logic(a: nx.f32[3], *, relu=True, scale=0):
    # A static left side short-circuits: `scale and ...` is 0, no op.
    # CHECK-NOT: logical
    # CHECK: max(%a
    return nx.max(a, 0.0) if relu and not scale else a
