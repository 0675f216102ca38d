# Tuples in the loop state are carried leaf by leaf.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @fib(%n: s32) -> (s32, s32)
@nx.defn
def fib(n: nx.s32):
    pair = (0, 1)
    # CHECK: for(%{{.*}}, %{{.*}}) {start = 0, stop = 10, step = 1} : s32, s32 ({
    # CHECK-NEXT: ^(%k: s32, %{{.*}}: s32, %{{.*}}: s32):
    for k in range(10):
        a, b = pair
        pair = (b, a + b)
    return pair
