# An import that cannot be found on disk.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


# CHECK: {{.*}}error-missing-module.py:[[@LINE+1]]:1: error: cannot find module no_such_layers next to the model or on sys.path
import no_such_layers


@nx.defn
def f(a: nx.f32[3]):
    return no_such_layers.dense(a)
