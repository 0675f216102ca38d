"""Located errors: every error the frontend reports points at user code.

`error(src, node, msg)` builds a `CompileError` at a node. `reporting(src, node)`
wraps a step that may raise an unlocated nxc error (a type rule, an API
argument check) and re-raises it at the node; a `CompileError` located
elsewhere (inside a called defn) passes through, given its source line when it
lacks one.
"""
from __future__ import annotations

import contextlib

from nxc.compiler.ir.core import Loc
from nxc.runtime.errors import CompileError, NxcError


def error(src, where, message) -> CompileError:
    loc = where if isinstance(where, Loc) else src.loc(where)
    return CompileError(message, loc, src.line_at(loc))


def relocated(src, err: NxcError, loc: Loc) -> CompileError:
    """`err` as a CompileError: at `loc` when unlocated, with the source line filled in."""
    if isinstance(err, CompileError) and err.loc is not None and err.loc.known:
        if err.source_line is not None or src.line_at(err.loc) is None:
            return err
        loc, message, kind = err.loc, err.message, getattr(err, "kind", CompileError)
    else:
        message = err.message if isinstance(err, CompileError) else str(err)
        kind = getattr(err, "kind", type(err))
    out = CompileError(message, loc, src.line_at(loc))
    out.kind = kind
    return out


@contextlib.contextmanager
def reporting(src, where):
    loc = where if isinstance(where, Loc) else src.loc(where)
    try:
        yield loc
    except NxcError as e:
        new = relocated(src, e, loc)
        if new is e:
            raise
        raise new from None
