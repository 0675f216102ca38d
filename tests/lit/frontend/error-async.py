# async code is rejected.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-async.py:[[@LINE+1]]:5: error: async functions are not supported inside defn
    async def helper():
        return a
    return a
