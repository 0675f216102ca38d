# print points to nx.print_value.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-print.py:[[@LINE+1]]:5: error: print cannot be used inside defn: {{.*}}use nx.print_value(x)
    print(a)
    return a
