"""Object code -> shared library, with the system's linker or C compiler driver.

The linker proper (`ld.gold`, else `ld`) is tried first, against the C and
math libraries only: started directly it takes about 10 ms, where a C
compiler driver takes 20-25 ms (it starts the linker through collect2 and
adds start files and the compiler runtime). When that link fails, typically
because the code calls a compiler-runtime helper (libgcc's or compiler-rt's
f16 conversions of f64, for instance), or the C library is not glibc's, a C
compiler driver links instead (cc, gcc or clang; `NXC_CC` overrides, and is
then the only linker tried): it links the C library, the math library and the
compiler runtime. A bare `ld` is the last resort: it links libc and libm, and
code that needs a compiler-runtime helper fails to link with a message
saying to install a C compiler.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from nxc.runtime.errors import CompileError

DRIVERS = ("cc", "gcc", "clang")
LINKERS = ("ld.gold", "ld")  # started directly, before any driver

# glibc's C and math libraries by file name: `-lc` would read libc.so, a linker
# script that also pulls in the static libc_nonshared.a (twice as slow).
DIRECT_LIBS = ["-l:libm.so.6", "-l:libc.so.6"]

INSTALL_HINT = ("install a C compiler to link native code: `apt-get install gcc` "
                "(Debian/Ubuntu), `dnf install gcc` (Fedora), `xcode-select --install` "
                "(macOS) or `conda install -c conda-forge gcc`, or set NXC_CC to one")


def find_linker() -> tuple[str, list[str]]:
    """The fallback linker command's path and the arguments it needs after the
    objects: a C compiler driver, else a bare `ld`."""
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


def direct_linker() -> str | None:
    """The linker to start directly, or None (none on PATH, or NXC_CC names
    the command to use)."""
    if os.environ.get("NXC_CC"):
        return None
    for name in LINKERS:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def link_shared(obj: bytes, out_path: str, support=()) -> str:
    """Write `obj` and the objects `support` (bytes each) and link them into
    the shared library `out_path`."""
    with tempfile.TemporaryDirectory(prefix="nxc-link-") as tmp:
        objects = []
        for i, data in enumerate([obj, *support]):
            objects.append(os.path.join(tmp, f"support{i}.o" if i else "module.o"))
            with open(objects[-1], "wb") as f:
                f.write(data)
        direct = direct_linker()
        if direct is not None:
            cmd = [direct, "-shared", "--eh-frame-hdr", "-o", out_path, *objects,
                   *DIRECT_LIBS, "--no-undefined"]
            try:
                if subprocess.run(cmd, capture_output=True).returncode == 0:
                    return out_path
            except OSError:
                pass  # the fallback below says what to install
        linker, libs = find_linker()
        cmd = [linker, "-shared", "-o", out_path, *objects, *libs]
        proc = _run(cmd, linker)
    if proc.returncode != 0:
        hint = f"; {INSTALL_HINT}" if os.path.basename(linker) == "ld" else ""
        raise CompileError(f"linking {os.path.basename(out_path)} failed "
                           f"({' '.join(cmd)}):\n{proc.stderr.strip()}{hint}")
    return out_path


def _run(cmd, linker):
    try:
        return subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise CompileError(f"could not run the linker {linker}: {e}; {INSTALL_HINT}") from None
