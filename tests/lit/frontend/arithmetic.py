# Python operators on tensors are Nx's ops, located at the expression.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @arith
@nx.defn
def arith(a: nx.f32[3], b: nx.f32[3]):
    # CHECK: %[[S:.*]] = add(%a, %b) : f32[3] loc("{{.*}}arithmetic.py":[[@LINE+1]]:9)
    s = a + b
    # CHECK: subtract(%s, %a) : f32[3] loc("{{.*}}arithmetic.py":[[@LINE+1]]:9)
    d = s - a
    # CHECK: multiply(%d, %b) : f32[3]
    p = d * b
    # CHECK: divide(%p, %a) : f32[3]
    q = p / a
    # CHECK: remainder(%q, %b) : f32[3]
    r = q % b
    # CHECK: pow(%r, %a) : f32[3]
    w = r ** a
    # CHECK: negate(%w) : f32[3] loc("{{.*}}arithmetic.py":[[@LINE+1]]:9)
    n = -w
    # CHECK: abs(%n) : f32[3]
    return abs(+n)


# Integer division is Nx's quotient; integers divided give floats.
# CHECK-LABEL: func @ints
@nx.defn
def ints(i: nx.s32[2], j: nx.s32[2]):
    # CHECK: quotient(%i, %j) : s32[2]
    # CHECK: divide(%i, %j) : f32[2]
    return i // j, i / j
