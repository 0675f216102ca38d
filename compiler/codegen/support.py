"""Native support code that generated code calls: the thread support of
threads_ir.py and the matrix-product kernels of gemm.py.

Lowerings call support functions by declaring them (`gemm.symbol`, the
dispatchers of parallel.py). After translation to LLVM IR, either

- `link` replaces each such declaration by the function's definition (and
  those of the thread support it needs): one self-contained module, what
  `--emit llvm|asm|obj` shows; or
- `split` defines only what is particular to the module (the dispatchers)
  and returns the shared code as `Piece`s, modules of their own that are the
  same for every module of a target: support_objects.py compiles each once
  and the linker puts its object beside the module's. The module declares
  the pieces' entry points hidden, so they are not exported from the library
  and two libraries' support code never binds to each other.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from nxc.runtime.threads import NUM_THREADS_SYMBOL

from . import gemm, llvm, parallel, threads_ir


@dataclass(frozen=True)
class Piece:
    """A module of support code: `text` defines `entries` (called from other
    modules, hence hidden rather than internal), `exports` (exported from the
    library) and whatever they need."""
    name: str
    text: str
    entries: tuple[str, ...]
    exports: tuple[str, ...] = ()


def link(text: str) -> str:
    """LLVM IR `text` with the support functions it declares defined."""
    text, bodies, pieces = _separate(text)
    if not pieces:
        return text
    text = _without_declarations(text, [e for p in pieces for e in p.entries])
    decls = {}
    # The thread support, the dispatchers, then the other pieces, in the
    # order of definition before the split.
    for part in [pieces[0].text, *bodies, *(p.text for p in pieces[1:])]:
        text += "\n" + _DECLARE.sub("", part)
        decls.update((m.group(1), m.group(0).strip()) for m in _DECLARE.finditer(part))
    return text + "\n" + threads_ir.missing_declarations(text, decls) + "\n"


def split(text: str) -> tuple[str, list[Piece]]:
    """LLVM IR `text` with the dispatchers defined, and the pieces of shared
    support code it calls, whose entries it declares (hidden)."""
    text, bodies, pieces = _separate(text)
    if not pieces:
        return text, []
    text += "\n" + "\n\n".join(bodies) + "\n"
    called = _symbols(text)
    mine = [(e, p) for p in pieces for e in p.entries if e in called]
    text = _without_declarations(text, [e for e, _ in mine])
    text += "".join(f"\ndeclare hidden {_signature(p.text, e)}" for e, p in mine)
    return text + "\n", pieces


def _separate(text: str) -> tuple[str, list[str], list[Piece]]:
    """`text` without the dispatchers' declarations, their definitions, and
    the pieces (the thread support first) that they and `text` call."""
    text, bodies = parallel.dispatch_ir(text)
    declared = set(_DECLARE_NAME.findall(text))
    used = [dt for dt in gemm.SHAPES if gemm.symbol(dt) in declared]
    if not bodies and not used:
        return text, bodies, []
    threads = _completed(threads_ir.THREADS_IR)
    pieces = [_gemm_piece(dt, threads) for dt in used]
    callers = _symbols(text).union(*(_symbols(t) for t in bodies),
                                   *(_symbols(p.text) for p in pieces))
    entries = tuple(n for n in _DEFINED.findall(threads) if n in callers)
    # The runtime sets the thread count through the library's symbol.
    pieces.insert(0, Piece("threads", threads, entries, (NUM_THREADS_SYMBOL,)))
    return text, bodies, pieces


@functools.lru_cache(maxsize=8)
def _completed(threads: str) -> str:
    """The thread support with the declarations it needs."""
    decls = threads_ir.missing_declarations(threads, threads_ir.THREADS_DECLS)
    return threads + "\n" + decls + "\n"


@functools.lru_cache(maxsize=8)
def _gemm_piece(dt, threads: str) -> Piece:
    """The product kernels of `dt`; the thread support they call is declared
    (hidden): it lives in the "threads" piece."""
    text = gemm.gemm_ir(dt)
    decls = gemm.declarations(dt)
    called = _symbols(text)
    for name in _DEFINED.findall(threads):
        if name in called:
            decls[name] = f"declare hidden {_signature(threads, name)}"
    text += "\n" + threads_ir.missing_declarations(text, decls) + "\n"
    return Piece(f"gemm_{dt.name}", text, (gemm.symbol(dt),))


_DEFINED = re.compile(r"^define\b[^\n@]*@([\w.$]+)\(", re.M)
_DECLARE = re.compile(r"^declare\b[^\n@]*@([\w.$]+)\([^\n]*\n?", re.M)
_DECLARE_NAME = re.compile(r"^declare\b[^\n@]*@([\w.$]+)\(", re.M)
_SYMBOL = re.compile(r"@([\w.$]+)")


def _symbols(text: str) -> set:
    """The global names `text` mentions."""
    return set(_SYMBOL.findall(text))


def _without_declarations(text: str, names) -> str:
    if not names:
        return text
    alternatives = "|".join(re.escape(n) for n in names)
    return re.sub(rf"^declare\b[^\n@]*@(?:{alternatives})\([^\n]*\n?", "", text, flags=re.M)


@functools.lru_cache(maxsize=64)
def _signature(text: str, name: str) -> str:
    """`<type> @name(<params>)` of the function `name` defined in `text`."""
    return llvm.function_signature(text, name)
