"""Compile the GPU artifacts that test_gpu_artifacts.py runs, into build/gpu_runtime/,
and write build/gpushim/, which imports the source tree as `nxc` without installing it.

    .venv/bin/python tests/unit/gpu_runtime/make_artifacts.py     # here
    PYTHONSAFEPATH=1 PYTHONPATH=build/gpushim python3 -m pytest -m gpu tests/unit/gpu_runtime

The first needs the compiler (mlir, llvmlite); the artifacts then run on any
machine with a GPU and the runtime alone (their host code is baseline x86-64).
(PYTHONSAFEPATH keeps the repository root, whose nxc/ folder lacks the package
mapping, off sys.path.)
"""
import ctypes
import json
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = ROOT / "build" / "gpu_runtime"

# artifact -> (example file, functions)
ARTIFACTS = {
    "softmax": ("examples/softmax.py", ["softmax"]),
    "classify": ("examples/softmax.py", ["classify"]),
    "mlp_predict": ("examples/mlp.py", ["predict"]),
    "mlp": ("examples/mlp.py", ["step"]),
}


SHIM = """\
# The source tree as the package `nxc`, mapped as pyproject.toml does:
# nxc -> nxc/, nxc.compiler -> compiler/, nxc.runtime -> runtime/, nxc.cli -> cli/.
import os as _os

_root = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.dirname(
    _os.path.abspath(__file__)))))
__path__ = [_os.path.join(_root, "nxc"), _root]
__file__ = _os.path.join(_root, "nxc", "__init__.py")
with open(__file__) as _f:
    exec(compile(_f.read(), __file__, "exec"))
"""


def write_shim():
    shim = ROOT / "build" / "gpushim" / "nxc"
    shim.mkdir(parents=True, exist_ok=True)
    (shim / "__init__.py").write_text(SHIM)


def main(arch="sm_90") -> int:
    write_shim()
    from nxc.compiler.codegen.gpu.driver import compile_gpu_module
    from nxc.compiler.frontend.driver import compile_file
    from nxc.runtime.errors import NxcError

    failures = 0
    for name, (source, functions) in ARTIFACTS.items():
        try:
            module = compile_file(str(ROOT / source), names=functions)
            out = compile_gpu_module(module, target="cuda", arch=arch,
                                     out_dir=str(OUT / f"{name}_nxc"))
            _check_loads(out)
            print(f"built {out}")
        except (NxcError, OSError) as e:
            failures += 1
            shutil.rmtree(OUT / f"{name}_nxc", ignore_errors=True)
            print(f"{name}: not built: {str(e).splitlines()[0]}")
    return failures


def _check_loads(out):
    """dlopen the host library (safe: it runs no driver code at load time), so that
    an unresolved symbol shows here rather than on the GPU machine."""
    with open(pathlib.Path(out) / "manifest.json") as f:
        ctypes.CDLL(str(pathlib.Path(out) / json.load(f)["library"]))


if __name__ == "__main__":
    sys.exit(1 if main(*sys.argv[1:]) else 0)
