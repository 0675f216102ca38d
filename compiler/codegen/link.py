"""Object code -> shared library, with the system's C compiler driver or linker.

A C compiler driver (cc, gcc or clang; `NXC_CC` overrides) is preferred: it
links the C library, the math library and the compiler runtime (libgcc or
compiler-rt, which supply the f16 conversion helpers). A bare `ld` is the last
resort: it links libc and libm, and code that needs a compiler-runtime helper
fails to link with a message saying to install a C compiler.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from nxc.runtime.errors import CompileError

DRIVERS = ("cc", "gcc", "clang")

INSTALL_HINT = ("install a C compiler to link native code: `apt-get install gcc` "
                "(Debian/Ubuntu), `dnf install gcc` (Fedora), `xcode-select --install` "
                "(macOS) or `conda install -c conda-forge gcc`, or set NXC_CC to one")


def find_linker() -> tuple[str, list[str]]:
    """The linker command's path and the arguments it needs after the objects."""
    override = os.environ.get("NXC_CC")
    if override:
        path = shutil.which(override)
        if path is None:
            raise CompileError(f"NXC_CC is {override!r}, which is not an executable; "
                               f"{INSTALL_HINT}")
        return path, ["-lm"]
    for name in DRIVERS:
        path = shutil.which(name)
        if path is not None:
            return path, ["-lm"]
    path = shutil.which("ld")
    if path is not None:
        return path, ["-lm", "-lc", "--no-undefined"]
    raise CompileError(f"no linker found (looked for {', '.join(DRIVERS)} and ld on PATH); "
                       f"{INSTALL_HINT}")


def link_shared(obj: bytes, out_path: str) -> str:
    """Write `obj` and link it into the shared library `out_path`."""
    linker, libs = find_linker()
    with tempfile.TemporaryDirectory(prefix="nxc-link-") as tmp:
        obj_path = os.path.join(tmp, "module.o")
        with open(obj_path, "wb") as f:
            f.write(obj)
        cmd = [linker, "-shared", "-o", out_path, obj_path, *libs]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:
            raise CompileError(f"could not run the linker {linker}: {e}; {INSTALL_HINT}") from None
    if proc.returncode != 0:
        hint = f"; {INSTALL_HINT}" if os.path.basename(linker) == "ld" else ""
        raise CompileError(f"linking {os.path.basename(out_path)} failed "
                           f"({' '.join(cmd)}):\n{proc.stderr.strip()}{hint}")
    return out_path
