"""The artifact: an importable package directory holding the native library.

    <name>/
      __init__.py      loads the library through nxc.runtime and exposes each function
      __init__.pyi     the functions' signatures and docstrings, for editors and checkers
      <name>.h         the C declarations and the ABI, for C and C++ callers
      lib<name>.so     the native code
      manifest.json    format/nxc version, target, library hash, every signature

The manifest is the contract between the compiler and the runtime (see
runtime/manifest.py, which reads and validates it); docs/artifact.md describes it.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
import tempfile
from importlib import metadata

from nxc.runtime import library as runtime_library
from nxc.runtime import manifest as runtime_manifest

from . import abi
from .llvm import Target



@contextlib.contextmanager
def staged(out_dir: str, package: str):
    """A fresh directory beside `out_dir` to build an artifact in; it replaces
    `out_dir` when the block succeeds and is removed when it fails, so a failed
    build never leaves half an artifact where one is imported from."""
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{package}-", dir=parent)
    try:
        yield tmp
        final = os.path.abspath(out_dir)
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

@functools.cache
def nxc_version() -> str:
    try:
        return metadata.version("nxc")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def library_name(package: str) -> str:
    ext = {"darwin": ".dylib", "win32": ".dll"}.get(sys.platform, ".so")
    return f"lib{package}{ext}"


def _tensor_json(t) -> dict:
    return {"dtype": t.dtype.name,
            "shape": [d.name if not isinstance(d, int) else d for d in t.shape],
            "names": list(t.names)}


def functions_json(exports) -> list:
    """The manifest's `functions`: what the library's ABI hash covers."""
    out = []
    for ex in exports:
        params = [{"name": n, **_tensor_json(t)} for n, t in ex.params]
        out.append({
            "name": ex.name, "symbol": ex.symbol, "doc": ex.doc,
            "params": params, "results": [_tensor_json(t) for t in ex.results],
            "dims": list(ex.dims),
            "constraints": [{"dim": c.dim, "min": c.minimum, "reason": c.reason}
                            for c in ex.constraints],
        })
    return out


def abi_global_ir(module_symbol: str, digest: str) -> str:
    """LLVM IR of the exported NUL-terminated string holding the ABI hash."""
    return (f'@{runtime_library.abi_symbol(module_symbol)} = constant '
            f'[{len(digest) + 1} x i8] c"{digest}\\00"\n')


def manifest_json(package: str, module_symbol: str, exports, target: Target,
                  library_sha256: str, gpu=None) -> dict:
    """`gpu`: for a GPU artifact, {"kind", "archs", "images"} (docs/gpu.md); the
    triple, cpu and features are then the host library's."""
    data = {
        "format": runtime_manifest.FORMAT,
        "format_version": runtime_manifest.FORMAT_VERSION,
        "nxc_version": nxc_version(),
        "module": module_symbol,
        "package": package,
        "library": library_name(package),
        "library_sha256": library_sha256,
        "target": {"kind": "cpu", "triple": target.triple, "cpu": target.cpu,
                   "features": target.enabled_features},
        "functions": functions_json(exports),
    }
    if gpu is not None:
        data["target"].update(gpu)
    return data


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

INIT = '''"""{package}: native code compiled by nxc {version} ({triple}, cpu {cpu}).

Functions: {names}. Each takes numpy arrays (or nx tensors, or __dlpack__
objects) of exactly its parameters' types and returns nx tensors.
"""
from nxc.runtime import load_package as _load_package

_artifact = _load_package(__file__)
globals().update(_artifact.functions)
__all__ = sorted(_artifact.functions)
'''


def write_init(path, package, exports, target):
    names = ", ".join(ex.name for ex in exports) or "none"
    with open(path, "w", encoding="utf-8") as f:
        f.write(INIT.format(package=package, version=nxc_version(), triple=target.triple,
                            cpu=target.cpu, names=names))


def write_stub(path, package, exports):
    lines = [f'"""Signatures of {package}, compiled by nxc {nxc_version()}."""',
             "from numpy.typing import ArrayLike", "", "from nxc.tensor import Tensor", ""]
    for ex in exports:
        params = ", ".join(f"{n}: ArrayLike" for n, _ in ex.params)
        if len(ex.results) == 1:
            ret = "Tensor"
        else:
            ret = f"tuple[{', '.join(['Tensor'] * len(ex.results))}]"
        doc = ex.doc.splitlines() + [""] if ex.doc else []
        doc += [f"{n}: {t}" for n, t in ex.params]
        doc += [f"returns: {', '.join(str(t) for t in ex.results)}"]
        # A backslash or triple quote in the docstring must not end the literal.
        body = "\n    ".join(doc).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        lines += ["", f"def {ex.name}({params}) -> {ret}:", f'    """{body}\n    """', "    ..."]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


HEADER = """/* {package}.h: C interface of {library}, compiled by nxc {version}
 * for {triple} (cpu {cpu}).
 *
 * ABI. Each function takes, in order:
 *   - one pointer per parameter to its elements, contiguous in row-major order;
 *   - one pointer per result to a buffer the caller allocated for it (same
 *     layout; the size follows from the shapes below), not overlapping any input;
 *   - one int64_t per symbolic dimension (written ?name below), its size.
 * It returns NXC_OK (0), or NXC_BAD_SIZE when a size is negative, or
 * NXC_SIZE_TOO_SMALL when a size is below what the function needs; then no
 * result is written. Functions keep no state: several threads may call at once.
 * f16 and bf16 elements are passed as their 16 bits, c64/c128 as (re, im) pairs.
 */
#ifndef {guard}
#define {guard}

#include <stdint.h>

#ifdef __cplusplus
extern "C" {{
#endif

#ifndef NXC_TYPES_DEFINED
#define NXC_TYPES_DEFINED
typedef uint16_t nxc_f16;   /* IEEE 754 binary16 bits */
typedef uint16_t nxc_bf16;  /* bfloat16 bits (the high half of an f32) */
typedef struct {{ float re, im; }} nxc_c64;
typedef struct {{ double re, im; }} nxc_c128;
#define NXC_OK {ok}
#define NXC_BAD_SIZE {bad_size}
#define NXC_SIZE_TOO_SMALL {too_small}
#endif

{declarations}
#ifdef __cplusplus
}}
#endif

#endif /* {guard} */
"""


def _comment(text: str) -> str:
    return text.replace("*/", "* /")


def write_header(path, package, exports, target):
    decls = []
    for ex in exports:
        lines = [f"{ex.name}: {_comment(ex.doc.strip().splitlines()[0])}" if ex.doc.strip()
                 else ex.name]
        lines += [f"  {n}: {t}" for n, t in ex.params]
        lines += [f"  result{i}: {t}" for i, t in enumerate(ex.results)]
        taken = {n for n, _ in ex.params}
        lines += [f"  {abi.size_name(d, taken)}: the size of ?{d}" for d in ex.dims]
        lines += [f"  requires ?{c.dim} >= {c.minimum} ({_comment(c.reason)})"
                  for c in ex.constraints]
        decls.append("/* " + "\n * ".join(lines) + " */\n" + abi.c_prototype(ex) + ";\n")
    guard = abi.c_identifier(package).upper() + "_NXC_H"
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER.format(package=package, library=library_name(package),
                              version=nxc_version(), triple=target.triple, cpu=target.cpu,
                              guard=guard, declarations="\n".join(decls), ok=abi.OK,
                              bad_size=abi.BAD_SIZE, too_small=abi.SIZE_TOO_SMALL))


def write_package(out_dir: str, package: str, module_symbol: str, exports, target: Target,
                  library_path: str, gpu=None):
    """Complete the package directory around the already linked library."""
    digest = runtime_library.sha256_file(library_path)
    data = manifest_json(package, module_symbol, exports, target, digest, gpu)
    with open(os.path.join(out_dir, runtime_manifest.FILE), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    write_init(os.path.join(out_dir, "__init__.py"), package, exports, target)
    write_stub(os.path.join(out_dir, "__init__.pyi"), package, exports)
    write_header(os.path.join(out_dir, f"{package}.h"), package, exports, target)
