# Comprehensions over static sequences are unrolled at compile time.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @powers(%x: f32[2]) -> (f32[2], f32[2], f32[2])
@nx.defn
def powers(x: nx.f32[2]):
    # x ** 1 is x itself (the simplifier's identity); x ** 3 and x ** 4 remain.
    # CHECK: pow(%x, %{{.*}}) : f32[2]
    # CHECK: pow(%x, %{{.*}}) : f32[2]
    # CHECK-NOT: pow
    # CHECK: return %x, %{{.*}}, %{{.*}}
    return tuple(x ** k for k in range(1, 5) if k != 2)
