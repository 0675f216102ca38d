"""Opening an artifact's native library, after checking it is the one that was built.

The manifest records the library's SHA-256, and the library embeds the hash of
the manifest's signatures (`abi_hash`). A truncated or modified library fails
the first check before it is ever loaded; an edited manifest fails the second.
Either way the error names the file, and nothing is called.
"""
from __future__ import annotations

import ctypes
import hashlib
import os

from .errors import ArtifactError
from .manifest import Manifest, abi_hash

HASH_LEN = 64  # hex digits of a SHA-256


def abi_symbol(module: str) -> str:
    """The name of the library's embedded ABI hash (a NUL-terminated string)."""
    return f"{module}__nxc_abi"


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def open_library(manifest: Manifest) -> ctypes.CDLL:
    path = os.path.join(manifest.directory, manifest.library)
    try:
        digest = sha256_file(path)
    except FileNotFoundError:
        raise ArtifactError(f"{path}: the native library is missing (an incomplete copy of "
                            f"the artifact?)") from None
    except OSError as e:
        raise ArtifactError(f"{path}: the native library cannot be read ({e})") from None
    if digest != manifest.library_sha256:
        raise ArtifactError(f"{path}: the native library is truncated or modified (its "
                            f"SHA-256 differs from the one {manifest.path} records); "
                            f"rebuild the artifact")
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ArtifactError(f"{path}: the native library cannot be loaded: {e}") from None
    try:
        embedded = (ctypes.c_char * (HASH_LEN + 1)).in_dll(lib, abi_symbol(manifest.module))
        embedded = embedded.value.decode("ascii", "replace")
    except ValueError:
        embedded = None
    if embedded != abi_hash(manifest.raw_functions):
        raise ArtifactError(f"{manifest.path}: the manifest does not describe {path} (its "
                            f"function signatures were edited after the build); rebuild "
                            f"the artifact")
    return lib
