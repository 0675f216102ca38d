# Python numbers take the tensor's type when they fit (Nx's rules); alone they
# are s32, f32, u8 (bools) and c64.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @weak
@nx.defn
def weak(x: nx.u8[2]):
    # CHECK: constant() {value = dense<u8: 1>} : u8
    # CHECK: add(%x, %{{.*}}) : u8[2]
    # CHECK: constant() {value = dense<u16: 256>} : u16
    # CHECK: add(%x, %{{.*}}) : u16[2]
    # CHECK: constant() {value = dense<s16: -1>} : s16
    # CHECK: add(%x, %{{.*}}) : s16[2]
    # CHECK: constant() {value = dense<f32: 1.5>} : f32
    # CHECK: add(%x, %{{.*}}) : f32[2]
    return x + 1, x + 256, x + -1, x + 1.5


# CHECK-LABEL: func @alone() -> (s32, f32, u8, c64)
@nx.defn
def alone():
    # CHECK: constant() {value = dense<s32: 7>} : s32
    # CHECK: constant() {value = dense<f32: 2.5>} : f32
    # CHECK: constant() {value = dense<u8: 1>} : u8
    # CHECK: constant() {value = dense<c64: (1.0, 2.0)>} : c64
    return 7, 2.5, True, 1 + 2j


# Arithmetic on static numbers is Python's and runs at compile time.
# CHECK-LABEL: func @folded
@nx.defn
def folded(x: nx.f32[2]):
    # CHECK: constant() {value = dense<f32: 6.5>} : f32
    # CHECK-NEXT: multiply(%x
    return x * (2 * 3 + 0.5)
