# Module-level literal constants (numbers, tuples, strings, arithmetic on
# other constants, math) are read at compile time, without running the module.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import math

import nxc as nx

EPS = 1e-5
SHAPE = (3, 2)
HALF = 1 / 2
MODE = "mean"
TAU = 2 * math.pi
AXES, KEEP = (0,), True


# CHECK-LABEL: func @norm(%x: f32[2][3]) -> (f32[3][2], f32[1][3], f32)
@nx.defn
def norm(x: nx.f32[2, 3]):
    # CHECK: reshape(%x) {shape = (3, 2), names = none}
    r = nx.reshape(x, SHAPE)
    # CHECK: mean(%x) {axes = (0), keep_axes = true}
    m = nx.mean(x, axes=AXES, keep_axes=KEEP) if MODE == "mean" else x
    # Arithmetic on constants is folded: one constant, pi + 1e-5 as f32.
    # CHECK: constant() {value = dense<f32: 3.1416028>}
    return r, m, TAU * HALF + EPS
