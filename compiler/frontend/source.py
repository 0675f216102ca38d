"""Source text of the functions the frontend lowers, and locations in it.

A `Source` is parsed text plus what it takes to turn `ast` positions into
locations absolute in the file: the line the text starts at, and the
indentation removed from each line (a method or nested function is dedented
before parsing). `ast` columns count UTF-8 bytes from 0; locations count
characters from 1, so a caret lands under the right character.
"""
from __future__ import annotations

import ast
import inspect
import os
from dataclasses import dataclass, field

from nxc.compiler.ir.core import Loc
from nxc.runtime.errors import CompileError


@dataclass
class Source:
    path: str  # the file name shown in locations
    lines: list  # the parsed (dedented) lines
    line_offset: int = 0  # file line of parsed line 1, minus 1
    removed: list = field(default_factory=list)  # indentation removed per line
    raw_lines: list = None  # the lines as in the file, for the caret display

    def loc(self, node) -> Loc:
        """The absolute location of an ast node (its first character)."""
        i = node.lineno - 1
        line = self.lines[i] if i < len(self.lines) else ""
        col = len(line.encode("utf-8")[:node.col_offset].decode("utf-8", errors="replace"))
        shift = self.removed[i] if i < len(self.removed) else 0
        return Loc(self.path, node.lineno + self.line_offset, col + shift + 1)

    def line_at(self, loc: Loc):
        """The file's text of the line `loc` points at, when this source holds it."""
        if loc.file != self.path:
            return None
        i = loc.line - self.line_offset - 1
        raw = self.raw_lines if self.raw_lines is not None else self.lines
        return raw[i] if 0 <= i < len(raw) else None


def parse(source: Source, text: str, what: str):
    try:
        return ast.parse(text, filename=source.path)
    except SyntaxError as e:
        # SyntaxError positions are in the parsed text: re-base them.
        line = e.lineno or 1
        shift = source.removed[line - 1] if line - 1 < len(source.removed) else 0
        loc = Loc(source.path, line + source.line_offset, (e.offset or 1) + shift)
        raise CompileError(f"invalid Python syntax in {what}: {e.msg}", loc,
                           source.line_at(loc)) from None


def from_file(path: str):
    """Read and parse a whole file: (Source, ast.Module). Nothing in it is executed."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise CompileError(f"cannot read {path}: {e.strerror}") from None
    lines = text.splitlines()
    src = Source(path, lines, 0, [0] * len(lines))
    return src, parse(src, text, path)


def from_function(fn):
    """The source of a live Python function (or lambda): (Source, its ast node).

    The text comes from `inspect.getsource`; it is dedented line by line (at
    most the first line's indentation, so that continuation lines of strings
    keep their text) and its positions are re-based on the function's first
    line in the file. A lambda is found in its whole file.
    """
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    try:
        path = inspect.getsourcefile(fn) or inspect.getfile(fn)
        if fn.__name__ == "<lambda>":
            # A lambda's lines may be a fragment of a larger expression: read the
            # whole file, whose positions are absolute already.
            raw, first = inspect.findsource(fn)[0], 1
        else:
            raw, first = _block(fn) or inspect.getsourcelines(fn)
    except (OSError, TypeError):
        raise CompileError(
            f"cannot read the source of {name}: a defn function must be defined in a "
            f"file (or a notebook cell) whose source Python can read") from None
    raw = [line.rstrip("\r\n") for line in raw]
    indent = len(raw[0]) - len(raw[0].lstrip())
    lines, removed = [], []
    for line in raw:
        k = 0
        while k < indent and k < len(line) and line[k] in " \t":
            k += 1
        lines.append(line[k:])
        removed.append(k)
    src = Source(os.path.abspath(path) if os.path.exists(path) else path, lines,
                 max(first - 1, 0), removed, raw)
    tree = parse(src, "\n".join(lines) + "\n", name)
    return src, _function_node(tree, fn, name)


def _block(fn):
    """(lines, first line number) of a def's source (decorators first), found by
    indentation; None when unsure. `inspect.getsourcelines` tokenizes, which
    costs 15 ms in a new process (compiling tokenize's patterns): too much for a
    JIT call that hits its cache.

    The block ends before the first line of code indented no deeper than the def
    (comment lines do not count). A line that shallow inside the function can
    only continue a bracket, a string or a backslash, so cutting there leaves
    text that does not parse, and the caller falls back to inspect."""
    import linecache
    code = fn.__code__
    lines = linecache.getlines(code.co_filename, fn.__globals__)
    start = code.co_firstlineno - 1
    if not 0 <= start < len(lines):
        return None
    indent = len(lines[start]) - len(lines[start].lstrip())
    header = start  # decorators, then the def line
    while header < len(lines) and lines[header].lstrip().startswith("@"):
        header += 1
    if header == len(lines) or not lines[header].lstrip().startswith(("def ", "async def ")):
        return None
    end = header + 1
    for i in range(header + 1, len(lines)):
        text = lines[i].strip()
        if not text or text.startswith("#"):
            continue
        if len(lines[i]) - len(lines[i].lstrip()) <= indent:
            break
        end = i + 1
    block = lines[start:end]
    try:
        tree = ast.parse("".join(line[indent:] if not line[:indent].strip() else line
                                 for line in block))
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.FunctionDef,
                                                             ast.AsyncFunctionDef)):
        return None
    return block, start + 1


def _function_node(tree, fn, name):
    if fn.__name__ == "<lambda>":
        # The lambda on its first line whose body starts where its code does.
        code = fn.__code__
        starts = {(line, col) for line, _, col, _ in code.co_positions() if line is not None}
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
                 and n.lineno == code.co_firstlineno
                 and (n.body.lineno, n.body.col_offset) in starts]
        if len(found) != 1:
            raise CompileError(f"cannot find the source of {name}; define it with def")
        return found[0]
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn.__name__:
            return node
    raise CompileError(f"cannot find the definition of {name} in its source")
