# Comparisons give u8; a chained comparison is the logical_and of its pairs.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @compare
@nx.defn
def compare(a: nx.f32[3], b: nx.f32[3]):
    # CHECK: less(%a, %b) : u8[3]
    # CHECK: less_equal(%a, %b) : u8[3]
    # CHECK: greater(%a, %b) : u8[3]
    # CHECK: greater_equal(%a, %b) : u8[3]
    # CHECK: equal(%a, %b) : u8[3]
    # CHECK: not_equal(%a, %b) : u8[3]
    return a < b, a <= b, a > b, a >= b, a == b, a != b


# CHECK-LABEL: func @chained
@nx.defn
def chained(a: nx.f32[3]):
    # CHECK: %[[LO:.*]] = less(%{{.*}}, %a) : u8[3]
    # CHECK: %[[HI:.*]] = less(%a, %{{.*}}) : u8[3]
    # CHECK: logical_and(%[[LO]], %[[HI]]) : u8[3] loc("{{.*}}comparison.py":[[@LINE+1]]:12)
    return 0.0 < a < 1.0
