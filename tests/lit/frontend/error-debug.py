# --debug shows the Python traceback of an error (without it, see the other
# error tests, there is none).
# RUN: not %nxc compile %s --emit ir --debug 2>&1 | FileCheck %s
# CHECK: Traceback
# CHECK: CompileError: {{.*}}error-debug.py:[[@LINE+6]]:12: error: cannot add f32[3] and f32[2]
import nxc as nx


@nx.defn
def f(a: nx.f32[3], b: nx.f32[2]):
    return a + b
