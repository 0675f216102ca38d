# defn functions are inlined and cannot recurse.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def fact(n):
    # CHECK: {{.*}}error-recursion.py:[[@LINE+1]]:16: error: recursive call of fact
    return n * fact(n - 1)


@nx.defn
def f(n: nx.s32):
    return fact(n)
