# Annotations declare the signature: static, scalar, symbolic (which also names
# the axis) and named static axes, for every Nx type.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @static(%x: f32[3][4], %s: f64, %t: s32) -> f32[3][4]
@nx.defn
def static(x: nx.f32[3, 4], s: nx.f64[()], t: nx.s32):
    return x


# CHECK-LABEL: func @symbolic(%x: f32[batch: ?batch][784], %y: bf16[n: ?n]) -> f32[batch: ?batch][784]
@nx.defn
def symbolic(x: nx.f32["batch", 784], y: nx.bf16["n"]):
    return x


# CHECK-LABEL: func @named(%x: u8[features: 784], %y: c64[rows: ?n][2]) -> u8[features: 784]
@nx.defn
def named(x: nx.u8["features": 784], y: nx.c64["rows": "n", 2]):
    return x


# CHECK-LABEL: func @every_type(%a: u16, %b: u32, %c: u64, %d: s8, %e: s16, %f: s64, %g: f16, %h: c128) -> u16
@nx.defn
def every_type(a: nx.u16, b: nx.u32, c: nx.u64, d: nx.s8, e: nx.s16, f: nx.s64,
               g: nx.f16, h: nx.c128):
    return a


# A module-level type alias is a constant like any other.
VECTOR = nx.f32[8]


# CHECK-LABEL: func @alias(%v: f32[8]) -> f32[8]
@nx.defn
def alias(v: VECTOR):
    return v
