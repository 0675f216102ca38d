"""`python -m bench.hit W1 full`: what the first call of a workload's defn costs
in this new process beyond the computation itself (the first call's time less
the median of three later ones), through the JIT and its disk cache
($NXC_CACHE_DIR), and whether it was a hit (no lowering: MLIR was not
imported), printed as `<seconds> hit|miss`. The interpreter's start and
`import nxc` are not counted."""
import statistics
import sys
import time

import numpy as np

import nxc  # noqa: F401  (imported before the clock starts)

from . import models
from .workloads import BY_KEY


def main(key, size):
    w = BY_KEY[key]
    args = w.make_inputs(w.sizes[size], np.random.default_rng(0))
    fn = getattr(models, w.nxc)
    t0 = time.perf_counter()
    fn(*args)
    first = time.perf_counter() - t0
    later = []
    for _ in range(3):
        t0 = time.perf_counter()
        fn(*args)
        later.append(time.perf_counter() - t0)
    print(first - statistics.median(later), "miss" if "mlir" in sys.modules else "hit")


if __name__ == "__main__":
    main(*sys.argv[1:])
