"""Build the artifacts device_run.py checks on a GPU machine (which has no MLIR).

    .venv/bin/python tests/unit/gpu/device_build.py build/gpu_check [softmax,control,dtype,...]

writes, under the (git-ignored) directory given:
- softmax_nxc/: examples/softmax.py for cuda (sm_90): `softmax` over a
  symbolic axis (full reductions, two-pass) and `classify` (row softmax);
- control_nxc/: `cond` and `while` on tensor values (CONTROL below);
- ops_<dtype>/: every registry op's static samples of that dtype, one function
  each, plus cases.npz: random inputs (with edge values) and the interpreter's
  results for each function.
"""
import os
import shutil
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE), os.path.join(os.path.dirname(HERE), "codegen")]

from op_module import one_op_module  # noqa: E402
from test_codegen_ops import random_input  # noqa: E402
from test_gpu_compile_ops import gpu_cases  # noqa: E402

from nxc.compiler.codegen.gpu import compile_gpu_module  # noqa: E402
from nxc.compiler.frontend.driver import compile_file  # noqa: E402
from nxc.compiler.ir import dtypes as T  # noqa: E402
from nxc.compiler.ir.interpreter import run_function  # noqa: E402
from nxc.compiler.passes.simplify import Simplify  # noqa: E402


def ops_module(dt):
    return one_op_module(f"ops_{dt.name}", gpu_cases(dt, "static"))


CONTROL = """import nxc as nx


@nx.defn
def branch(x: nx.f32["n"]):
    if nx.sum(x) > 0:
        return x * 2.0
    return -x


@nx.defn
def doubling(x: nx.f32[4]):
    while nx.reduce_max(x) < 100.0:
        x = x * 2.0
    return x
"""


def _bits(a):
    return a.view(np.uint16) if a.dtype == T.bf16.numpy else a


def main(out, names):
    root = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
    if "softmax" in names:
        m = compile_file(os.path.join(root, "examples", "softmax.py"), ["softmax", "classify"])
        m = Simplify().run(m)
        m.name = "softmax"
        print(compile_gpu_module(m, target="cuda", arch="sm_90",
                                 out_dir=os.path.join(out, "softmax_nxc")))
    if "control" in names:  # cond and while on tensor values: host reads of device results
        src = os.path.join(out, "control.py")
        os.makedirs(out, exist_ok=True)
        with open(src, "w") as f:
            f.write(CONTROL)
        m = Simplify().run(compile_file(src))
        m.name = "control"
        print(compile_gpu_module(m, target="cuda", arch="sm_90",
                                 out_dir=os.path.join(out, "control_nxc")))
    for dt in [getattr(T, n) for n in names if n not in ("softmax", "control")]:
        m = ops_module(dt)
        path = compile_gpu_module(m, target="cuda", arch="sm_90",
                                  out_dir=os.path.join(out, f"ops_{dt.name}"))
        arrays = {}
        for fn in m.functions.values():
            rng = np.random.default_rng(zlib.crc32(fn.name.encode()))
            finite = dt.is_complex  # C99 Annex G special values are not reproduced
            args = [random_input(t, tuple(t.shape), rng, finite) for t in fn.param_types]
            with np.errstate(all="ignore"):
                want = run_function(fn, *args)
            # bf16 travels as its bits: the device machine may lack ml_dtypes.
            for i, a in enumerate(args):
                arrays[f"{fn.name}/in{i}"] = _bits(a)
            for i, w in enumerate(want):
                arrays[f"{fn.name}/out{i}"] = _bits(w)
        np.savez(os.path.join(path, "cases.npz"), **arrays)
        # The library embeds the images; the copies and C/typing files only
        # take room on the way to the device machine.
        shutil.rmtree(os.path.join(path, "kernels"))
        for name in ("__init__.pyi", f"ops_{dt.name}.h"):
            os.remove(os.path.join(path, name))
        print(path)


if __name__ == "__main__":
    names = (sys.argv[2].split(",") if len(sys.argv) > 2
             else ["softmax", "control"] + [d.name for d in T.ALL])
    main(sys.argv[1], names)
