"""The support pieces (support.split) compiled to object files, cached on disk.

A piece is the same for every module of a target, and optimizing and
generating its code took about half of a small module's compile (the thread
pool alone: 80 ms). So each is compiled once per (piece text, entries,
target, optimization level, LLVM version, compiler fingerprint), keyed by
the hash of all of them, into `<cache>/support/<key>.o`, and its bytes are
linked into every library that needs them: an artifact never refers to the
cache.

A file holds MAGIC, the SHA-256 of the object and the object. One that is
truncated or damaged fails the check and is compiled and written again. Files
are written whole under a temporary name and renamed into place, so
concurrent writers each put a complete file there (the same bytes) and
readers never see part of one. A cache directory that cannot be written only
costs the compile.
"""
from __future__ import annotations

import hashlib
import os
import tempfile

import llvmlite
import llvmlite.binding

from nxc.compiler import timing

from . import llvm
from .support import Piece

MAGIC = b"nxc support object 1\n"
_DIGEST = hashlib.sha256().digest_size


def objects(pieces: list[Piece], target: llvm.Target, opt_level: int, *, cache_dir: str,
            fingerprint: str) -> list[bytes]:
    """The object code of each of `pieces`, from the cache or compiled into it."""
    out = []
    for piece in pieces:
        with timing.stage("support objects"):
            digest = key(piece, target, opt_level, fingerprint)[:32]
            path = os.path.join(cache_dir, "support", f"{piece.name}-{digest}.o")
            obj = read(path)
        if obj is None:
            with timing.stage("support compile (cache miss)"):
                obj = compile_piece(piece, target, opt_level)
                write(path, obj)
        out.append(obj)
    return out


def key(piece: Piece, target: llvm.Target, opt_level: int, fingerprint: str) -> str:
    """What the object code of `piece` depends on, hashed."""
    h = hashlib.sha256(MAGIC)
    for part in (piece.name, piece.text, " ".join(piece.entries), " ".join(piece.exports),
                 target.triple, target.cpu, target.features, str(opt_level),
                 llvmlite.__version__, repr(llvmlite.binding.llvm_version_info), fingerprint):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def compile_piece(piece: Piece, target: llvm.Target, opt_level: int) -> bytes:
    mod = llvm.optimize(piece.text, target, opt_level, exports=piece.exports,
                        hidden=piece.entries)
    return llvm.emit_object(mod, target, opt_level)


def read(path: str) -> bytes | None:
    """The object stored at `path`, or None when there is none or it is damaged."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head = len(MAGIC) + _DIGEST
    if not data.startswith(MAGIC) or len(data) <= head:
        return None
    obj = data[head:]
    if hashlib.sha256(obj).digest() != data[len(MAGIC):head]:
        return None
    return obj


def write(path: str, obj: bytes) -> bool:
    """Store `obj` at `path` atomically; False when the cache cannot be written."""
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + hashlib.sha256(obj).digest() + obj)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
