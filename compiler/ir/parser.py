"""Parses the textual IR (docs/ir.md has the grammar) back into a Module.

Every op is built through its registry entry: unknown ops are rejected, the
attributes are canonicalized, and the type rule must give the result types the
text declares. Errors are `IRParseError`s whose message starts with
`file:line:col` of the offending token and says what was expected; the
exception also carries `file`, `line`, `col` and the bare `message`.
"""
from __future__ import annotations

import json
import re
import struct
from typing import NamedTuple

import numpy as np

from nxc.runtime.errors import IRParseError, NxcError

from . import dtypes, registry
from .core import TERMINATORS, Block, Function, Loc, Module, Operation, Value
from .printer import format_type, format_types, narrow
from .types import Dim, TensorType

_STRING = r'"(?:[^"\\\n]|\\.)*"'
_TOKEN = re.compile(rf"""
    (?P<skip>[ \t\r\n]+|//[^\n]*)
  | (?P<value>%(?:[A-Za-z_][A-Za-z0-9_.]*|[0-9]+))
  | (?P<symbol>@(?:[A-Za-z_][A-Za-z0-9_.]*|{_STRING}))
  | (?P<hex>0x[0-9a-fA-F]+)
  | (?P<float>-?[0-9]+(?:\.[0-9]*(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+))
  | (?P<int>-?[0-9]+)
  | (?P<string>{_STRING})
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>->|[(){{}}\[\]<>,:=?\#^-])
""", re.VERBOSE)

_DESCRIBE = {"value": "a value", "symbol": "a symbol", "hex": "a hex number",
             "float": "a number", "int": "a number", "string": "a string",
             "ident": "a name", "eof": "the end of the input"}


class Token(NamedTuple):
    kind: str  # value, symbol, hex, float, int, string, ident, punct, eof
    text: str
    line: int
    col: int

    def __str__(self):
        if self.kind == "eof":
            return "the end of the input"
        return f"'{self.text}'"


def _error(filename, line, col, message) -> IRParseError:
    err = IRParseError(f"{filename}:{line}:{col}: {message}")
    err.file, err.line, err.col, err.message = filename, line, col, message
    return err


def tokenize(text: str, filename: str) -> list[Token]:
    out, pos, line, line_start = [], 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        col = pos - line_start + 1
        if m is None:
            if text[pos] == '"':
                raise _error(filename, line, col, "unterminated string")
            raise _error(filename, line, col, f"unexpected character {text[pos]!r}")
        kind = m.lastgroup
        if kind != "skip":
            out.append(Token(kind, m.group(), line, col))
        newlines = m.group().count("\n")
        if newlines:
            line += newlines
            line_start = m.start() + m.group().rindex("\n") + 1
        pos = m.end()
    out.append(Token("eof", "", line, pos - line_start + 1))
    return out


class _Scope:
    """Names visible in a block: its own, then those of the enclosing blocks."""

    def __init__(self, parent=None):
        self.parent = parent
        self.values: dict[str, list[Value]] = {}  # name -> results (one, or several for %n:k)

    def lookup(self, name):
        scope = self
        while scope is not None:
            if name in scope.values:
                return scope.values[name]
            scope = scope.parent
        return None


def _hint(name: str) -> str | None:
    """The user variable name behind `%x` or `%x.2`; numbered values have none."""
    if name[0].isdigit():
        return None
    return re.sub(r"\.[0-9]+$", "", name)


class Parser:
    def __init__(self, text: str, filename: str | None = None):
        self.filename = filename or "<input>"
        self.tokens = tokenize(text, self.filename)
        self.i = 0

    # -- tokens -------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def error(self, message, tok: Token = None) -> IRParseError:
        tok = tok or self.tok
        return _error(self.filename, tok.line, tok.col, message)

    def at(self, text) -> bool:
        return self.tok.kind in ("punct", "ident") and self.tok.text == text

    def accept(self, text) -> bool:
        if self.at(text):
            self.i += 1
            return True
        return False

    def expect(self, text, what=None) -> Token:
        if not self.at(text):
            raise self.error(f"expected '{text}'{' ' + what if what else ''}, found {self.tok}")
        return self.next()

    def expect_kind(self, kind, what) -> Token:
        if self.tok.kind != kind:
            raise self.error(f"expected {what}, found {self.tok}")
        return self.next()

    def comma_list(self, close, item):
        """Items separated by commas up to the `close` punctuation (consumed)."""
        out = []
        if self.accept(close):
            return out
        while True:
            out.append(item())
            if self.accept(close):
                return out
            if not self.at(","):
                raise self.error(f"expected ',' or '{close}', found {self.tok}")
            self.next()

    # -- module and functions -------------------------------------------------

    def module(self) -> Module:
        module = Module()
        if self.accept("module"):
            module.name = self.symbol()
        while self.tok.kind != "eof":
            start = self.tok
            if not self.at("func"):
                raise self.error(f"expected 'func' or the end of the input, found {self.tok}")
            fn = self.function()
            if fn.name in module.functions:
                raise self.error(f"function @{fn.name} is defined twice", start)
            module.add(fn)
        return module

    def symbol(self) -> str:
        tok = self.expect_kind("symbol", "a symbol such as @name")
        if not tok.text.startswith('@"'):
            return tok.text[1:]
        try:
            return json.loads(tok.text[1:])
        except ValueError:
            raise self.error(f"invalid escape in symbol {tok.text}", tok) from None

    def function(self) -> Function:
        self.expect("func")
        name = self.symbol()
        scope = _Scope()
        self.expect("(", "to open the parameter list")
        params = self.comma_list(")", lambda: self.param(scope))
        self.expect("->", "before the result types")
        sig_tok = self.tok
        if self.accept("("):
            declared = self.comma_list(")", self.type)
        else:
            declared = [self.type()]
        attrs = {}
        if self.accept("attributes"):
            attrs = self.attr_dict()
        loc = self.loc()
        body = Block([t for _, t, _ in params], [_hint(n) for n, _, _ in params])
        for (pname, _, _), arg in zip(params, body.args):
            scope.values[pname] = [arg]
        self.expect("{", "to open the function body")
        self.block_ops(body, scope, "return")
        if body.result_types != declared:
            raise self.error(f"function @{name} declares results ({format_types(declared)}) "
                             f"but returns ({format_types(body.result_types)})", sig_tok)
        return Function(name, body, loc, attrs)

    def param(self, scope: _Scope):
        tok = self.expect_kind("value", "a parameter such as %x")
        name = tok.text[1:]
        if name in scope.values:
            raise self.error(f"value %{name} is defined twice", tok)
        scope.values[name] = []  # reserved: later parameters may not reuse it
        self.expect(":", "after the parameter name")
        return name, self.type(), tok

    def block_ops(self, block: Block, scope: _Scope, terminator: str):
        """Ops up to and including the terminator, then the closing '}'."""
        while True:
            if self.at("}"):
                raise self.error(f"expected '{terminator}' before '}}': every block ends with one")
            if self.tok.kind == "ident" and self.tok.text in TERMINATORS:
                tok = self.next()
                if tok.text != terminator:
                    where = "a function body" if terminator == "return" else "a region"
                    raise self.error(f"{where} ends with '{terminator}', found '{tok.text}'", tok)
                operands = []
                if self.tok.kind == "value":
                    operands.append(self.use(scope))
                    while self.accept(","):
                        operands.append(self.use(scope))
                block.ops.append(Operation(tok.text, operands, {}, [], (), self.loc()))
                self.expect("}", f"after '{terminator}': nothing may follow it in a block")
                return
            block.ops.append(self.op(scope))

    # -- ops -------------------------------------------------------------------

    def op(self, scope: _Scope) -> Operation:
        result_tok, count = None, None
        if self.tok.kind == "value":
            result_tok = self.next()
            count = 1
            if self.accept(":"):
                count = int(self.expect_kind("int", "the number of results").text)
                if count < 2:
                    raise self.error("a result group names 2 or more results")
            self.expect("=", "after the result name")
        name_tok = self.expect_kind("ident", "an op name")
        try:
            opdef = registry.get(name_tok.text)
        except NxcError:
            raise self.error(f"unknown op '{name_tok.text}'", name_tok) from None
        self.expect("(", f"to open the operands of {name_tok.text}")
        operands = self.comma_list(")", lambda: self.use(scope))
        attrs = self.attr_dict() if self.at("{") else {}
        self.expect(":", f"before the result types of {name_tok.text}")
        types_tok = self.tok
        if self.at("(") and self.tokens[self.i + 1].text == ")":
            self.i += 2
            declared = []
        else:
            declared = [self.type()]
            while self.accept(","):
                declared.append(self.type())
        regions = []
        if self.accept("("):
            regions = self.comma_list(")", lambda: self.region(scope))
        loc = self.loc()

        if len(regions) != opdef.regions:
            raise self.error(f"{opdef.name} takes {opdef.regions} region(s), found {len(regions)}",
                             name_tok)
        types = [v.type for v in operands]
        try:
            attrs = opdef.canonicalize(types, attrs)
            region_types = [([a.type for a in r.args], r.result_types) for r in regions]
            inferred = opdef.result_types(types, attrs, region_types)
        except NxcError as e:
            raise self.error(str(e), name_tok) from None  # type rules name their op
        if declared != inferred:
            raise self.error(f"{opdef.name} gives {format_types(inferred) or '()'}, "
                             f"the text declares {format_types(declared) or '()'}", types_tok)
        have = 0 if result_tok is None else count
        if have != len(inferred):
            raise self.error(f"{opdef.name} has {len(inferred)} result(s), "
                             f"the text names {have}", result_tok or name_tok)
        op = Operation(opdef.name, operands, attrs, inferred, regions, loc)
        if result_tok is not None:
            self.define(scope, result_tok, op.results)
        return op

    def define(self, scope: _Scope, tok: Token, values):
        name = tok.text[1:]
        if scope.lookup(name) is not None:
            raise self.error(f"value %{name} is defined twice", tok)
        if len(values) == 1:
            values[0].hint = _hint(name)
        scope.values[name] = list(values)

    def use(self, scope: _Scope) -> Value:
        tok = self.expect_kind("value", "a value such as %x")
        name = tok.text[1:]
        values = scope.lookup(name)
        if not values:
            raise self.error(f"value %{name} is not defined here", tok)
        if self.accept("#"):
            idx_tok = self.expect_kind("int", "a result number after '#'")
            k = int(idx_tok.text)
            if len(values) == 1 or not 0 <= k < len(values):
                raise self.error(f"%{name} has no result #{k}; it has {len(values)}", idx_tok)
            return values[k]
        if len(values) > 1:
            raise self.error(f"%{name} names {len(values)} results; use %{name}#0 .. "
                             f"%{name}#{len(values) - 1}", tok)
        return values[0]

    def region(self, parent: _Scope) -> Block:
        self.expect("{", "to open a region")
        scope = _Scope(parent)
        params = []
        if self.accept("^"):
            self.expect("(", "to open the region arguments")
            params = self.comma_list(")", lambda: self.param(scope))
            self.expect(":", "after the region arguments")
        block = Block([t for _, t, _ in params], [_hint(n) for n, _, _ in params])
        for (name, _, tok), arg in zip(params, block.args):
            if parent.lookup(name) is not None:
                raise self.error(f"value %{name} is defined twice", tok)
            scope.values[name] = [arg]
        self.block_ops(block, scope, "yield")
        return block

    def loc(self) -> Loc:
        if not self.accept("loc"):
            return Loc()
        self.expect("(", "after loc")
        file = self.string("a file name in quotes")
        self.expect(":")
        line = int(self.expect_kind("int", "a line number").text)
        self.expect(":")
        col = int(self.expect_kind("int", "a column number").text)
        self.expect(")", "to close loc(...)")
        return Loc(file, line, col)

    # -- types -----------------------------------------------------------------

    def type(self) -> TensorType:
        tok = self.tok
        if tok.kind != "ident" or tok.text not in dtypes.BY_NAME:
            raise self.error(f"expected a type such as f32[2][3], found {tok}")
        self.next()
        shape, names = [], []
        while self.accept("["):
            name = None
            if self.tok.kind in ("ident", "string") and self.tokens[self.i + 1].text == ":":
                name = self.word()
                self.next()
            shape.append(self.dim())
            names.append(name)
            self.expect("]", "to close the dimension")
        try:
            return TensorType(dtypes.BY_NAME[tok.text], tuple(shape), tuple(names))
        except NxcError as e:
            raise self.error(str(e), tok) from None

    def word(self) -> str:
        return self.string() if self.tok.kind == "string" else self.next().text

    def string(self, what="a string") -> str:
        tok = self.expect_kind("string", what)
        try:
            return json.loads(tok.text)
        except ValueError:
            raise self.error(f"invalid escape in string {tok.text}", tok) from None

    def dim(self):
        if self.accept("?"):
            if self.tok.kind not in ("ident", "string"):
                raise self.error(f"expected a dimension name after '?', found {self.tok}")
            return Dim(self.word())
        tok = self.tok
        if tok.kind != "int" or tok.text.startswith("-"):
            raise self.error(f"expected a dimension (a size such as 3, or ?n), found {tok}")
        return int(self.next().text)

    # -- attributes ------------------------------------------------------------

    def attr_dict(self) -> dict:
        self.expect("{", "to open the attributes")
        out = {}

        def entry():
            key = self.expect_kind("ident", "an attribute name")
            if key.text in out:
                raise self.error(f"attribute {key.text} is given twice", key)
            self.expect("=", f"after the attribute name {key.text}")
            out[key.text] = self.attr()
        self.comma_list("}", entry)
        return out

    def attr(self):
        tok = self.tok
        if tok.kind == "int":
            return int(self.next().text)
        if tok.kind == "float":
            return float(self.next().text)
        if tok.kind == "string":
            return self.string()
        if self.at("?"):
            return self.dim()
        if self.accept("("):
            return tuple(self.comma_list(")", self.attr))
        if self.at("-") or self.at("inf") or self.at("nan"):
            return self.special_float(64)
        if tok.kind == "ident":
            keyword = {"true": True, "false": False, "none": None}
            if tok.text in keyword:
                self.next()
                return keyword[tok.text]
            if tok.text in dtypes.BY_NAME and self.tokens[self.i + 1].text != "[":
                return dtypes.BY_NAME[self.next().text]
            if tok.text == "tensor":
                self.next()
                self.expect("<", "after tensor")
                t = self.type()
                self.expect(">", "to close tensor<...>")
                return t
            if tok.text == "dense":
                return self.dense()
        raise self.error("expected an attribute value (a number, a string, true, false, none, "
                         f"a dtype, ?dim, a tuple, tensor<...> or dense<...>), found {tok}")

    def special_float(self, bits):
        """inf, -inf, nan or nan(0x<bits>); a float, or ("bits", int) for a NaN payload."""
        tok = self.tok
        sign = -1.0 if self.accept("-") else 1.0
        if self.accept("inf"):
            return sign * float("inf")
        if sign > 0 and self.accept("nan"):
            if not self.accept("("):
                return float("nan")
            hex_tok = self.expect_kind("hex", "the bits of a NaN, such as 0x7ff8000000000001")
            self.expect(")", "to close nan(...)")
            value = int(hex_tok.text, 16)
            if value >> bits:
                raise self.error(f"NaN bits {hex_tok.text} do not fit {bits} bits", hex_tok)
            if bits == 64:
                return struct.unpack(">d", value.to_bytes(8, "big"))[0]
            return ("bits", value)
        raise self.error(f"expected a number, inf or nan, found {self.tok if sign < 0 else tok}")

    # -- dense arrays ------------------------------------------------------------

    def dense(self) -> np.ndarray:
        self.expect("dense")
        self.expect("<", "after dense")
        type_tok = self.tok
        t = self.type()
        if not t.is_static or any(n is not None for n in t.names):
            raise self.error("a dense array has a static shape without names, "
                             f"found {format_type(t)}", type_tok)
        self.expect(":", "after the type of the dense array")
        dt = t.dtype
        element = (self.int_element if dt.is_int else
                   self.complex_element if dt.is_complex else self.real_element)
        flat = []
        self.elements(t, 0, flat, lambda: element(dt))
        self.expect(">", "to close dense<...>")
        return self.to_array(flat, t)

    def elements(self, t: TensorType, axis, out, element):
        if axis == t.rank:
            out.append(element())
            return
        tok = self.expect("[", f"to open axis {axis} of {format_type(t)}")
        n = len(self.comma_list("]", lambda: self.elements(t, axis + 1, out, element)))
        if n != t.shape[axis]:
            raise self.error(f"expected {t.shape[axis]} entries along axis {axis} of "
                             f"{format_type(t)}, found {n}", tok)

    def int_element(self, dt):
        tok = self.expect_kind("int", f"an integer element of {dt}")
        v = int(tok.text)
        if not dt.min_value() <= v <= dt.max_value():
            raise self.error(f"{v} does not fit {dt}", tok)
        return v

    def real_element(self, dt):
        tok = self.tok
        if tok.kind in ("int", "float"):
            return float(self.next().text)
        return self.special_float(dt.bits)

    def complex_element(self, dt):
        self.expect("(", f"to open a complex element (re, im) of {dt}")
        re_ = self.real_element(dt.real)
        self.expect(",", "between the real and imaginary parts")
        im = self.real_element(dt.real)
        self.expect(")", "to close the complex element")
        return re_, im

    def to_array(self, flat, t: TensorType) -> np.ndarray:
        dt = t.dtype
        if dt.is_int:
            return np.array(flat, dtype=dt.numpy).reshape(t.shape)
        if dt.is_complex:
            flat = [part for pair in flat for part in pair]
        real_np = dt.real.numpy
        floats = np.array([0.0 if isinstance(v, tuple) else v for v in flat], dtype=np.float64)
        out = narrow(floats, real_np)
        raw = [(i, v[1]) for i, v in enumerate(flat) if isinstance(v, tuple)]
        if raw:
            view = out.view(f"u{real_np.itemsize}")
            for i, bits in raw:
                view[i] = bits
        if dt.is_complex:
            out = out.view(dt.numpy)
        return out.reshape(t.shape)


def parse_module(text: str, filename: str | None = None) -> Module:
    """Parse a module; raises IRParseError naming file:line:col and what was expected."""
    return Parser(text, filename).module()


def parse_type(text: str) -> TensorType:
    """Parse one type in Nx notation, e.g. `f32[rows: 2][?n]`."""
    p = Parser(text, "<type>")
    t = p.type()
    if p.tok.kind != "eof":
        raise p.error(f"expected the end of the type, found {p.tok}")
    return t
