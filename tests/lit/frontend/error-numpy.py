# numpy functions compute on host data: use nx.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


import numpy as np


@nx.defn
def f(a: nx.f32[3]):
    # CHECK: {{.*}}error-numpy.py:[[@LINE+1]]:12: error: numpy cannot be used inside defn {{.*}}use the nx function of the same name
    return np.exp(a)
