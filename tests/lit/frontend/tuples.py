# Tuples: tuple returns (nested ones flatten), unpacking, starred unpacking.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @pairs(%a: f32[2], %b: s32[2]) -> (s32[2], f32[2], f32[2])
@nx.defn
def pairs(a: nx.f32[2], b: nx.s32[2]):
    x, y = a, b
    first, *rest = (y, x, a)
    # CHECK: return %b, %a, %a
    return first, rest


# CHECK-LABEL: func @swap
@nx.defn
def swap(a: nx.f32[2], b: nx.f32[2]):
    a, b = b, a
    # CHECK: %[[D:.*]] = subtract(%b, %a) : f32[2]
    # CHECK: return %[[D]]
    return a - b
