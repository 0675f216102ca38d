"""Prints IR modules in their textual form (docs/ir.md has the grammar).

The text is complete: parsing it gives back the same module (same ops,
canonical attributes bit for bit, types, locations, function attributes), and
printing that module gives the same text.
"""
from __future__ import annotations

import json
import math
import re
import struct

import numpy as np

from nxc.runtime.errors import ArgumentError

from . import dtypes, registry
from .core import TERMINATORS, Block, Function, Loc, Module, Operation, Value
from .dtypes import DType
from .types import Dim, TensorType

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NAN_BITS = struct.unpack(">Q", struct.pack(">d", math.nan))[0]
INDENT = "  "


def word(s: str) -> str:
    """An identifier as is; anything else as a quoted string."""
    return s if _IDENT.match(s) else json.dumps(s, ensure_ascii=False)


# ---------------------------------------------------------------------------
# Types and locations
# ---------------------------------------------------------------------------

def format_dim(d) -> str:
    return f"?{word(d.name)}" if isinstance(d, Dim) else str(d)


def format_type(t: TensorType) -> str:
    """Nx's notation, `str(TensorType)`, with unusual axis or dim names quoted."""
    dims = "".join(f"[{word(n)}: {format_dim(d)}]" if n is not None else f"[{format_dim(d)}]"
                   for d, n in zip(t.shape, t.names))
    return f"{t.dtype.name}{dims}"


def format_types(types) -> str:
    """Types separated by commas (nothing for none)."""
    return ", ".join(map(format_type, types))


def format_loc(loc: Loc) -> str:
    """` loc("file":line:col)`, or nothing when the location is unknown."""
    if not loc.known:
        return ""
    return f" loc({json.dumps(loc.file, ensure_ascii=False)}:{loc.line}:{loc.col})"


# ---------------------------------------------------------------------------
# Attribute values
# ---------------------------------------------------------------------------

ATTR_KINDS = ("int, float, bool, str, None, tuples of these, a dtype, a symbolic dim, "
              "a tensor type or a numpy array")


def attr_kind_error(v) -> str | None:
    """Why `v` cannot be an attribute value, or None when it can."""
    if v is None or isinstance(v, (bool, int, float, str, DType, Dim, TensorType)):
        return None
    if isinstance(v, tuple):
        return next((e for e in map(attr_kind_error, v) if e), None)
    if isinstance(v, np.ndarray):
        try:
            dtypes.from_numpy(v.dtype)
        except Exception:
            return f"an array of numpy type {v.dtype}, which has no Nx type"
        return "an array of numpy bool (canonical arrays are u8)" if v.dtype == np.bool_ else None
    return f"{v!r} of type {type(v).__name__}"


def format_attr(v) -> str:
    """An attribute value in the textual IR (see ATTR_KINDS for what it may be)."""
    problem = attr_kind_error(v)
    if problem:
        raise ArgumentError(f"the IR cannot hold the attribute value {problem}; "
                            f"attributes are {ATTR_KINDS}")
    return _format_attr(v)


def _format_attr(v) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return format_float(float(v))
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, DType):
        return v.name
    if isinstance(v, Dim):
        return format_dim(v)
    if isinstance(v, TensorType):
        return f"tensor<{format_type(v)}>"
    if isinstance(v, tuple):
        return "(" + ", ".join(map(_format_attr, v)) + ")"
    return format_dense(v)


def format_float(x: float) -> str:
    """A Python float, exactly: shortest repr, inf, -inf, nan, or nan(0x<bits>)."""
    if math.isnan(x):
        bits = struct.unpack(">Q", struct.pack(">d", x))[0]
        return "nan" if bits == _NAN_BITS else f"nan(0x{bits:016x})"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


# -- dense arrays -------------------------------------------------------------

def narrow(values: np.ndarray, np_dtype) -> np.ndarray:
    """float64 values -> a real float type: the one conversion printer and parser share.

    Values beyond the type's range round to infinity, as any float conversion does.
    """
    with np.errstate(over="ignore"):
        return values.astype(np_dtype)


def _uint(np_dtype):
    return np.dtype(f"u{np.dtype(np_dtype).itemsize}")


def _format_reals(a: np.ndarray) -> list[str]:
    """Each element of a 1-D real float array as text that parses back to its exact bits.

    float64's repr of the value is exact for every type (float64 holds them
    all); narrower types then take the shortest decimal that converts back to
    the same bits where there is one. NaNs print as `nan` when they are the
    type's quiet NaN, else with their bits.
    """
    dt = a.dtype
    bits = a.view(_uint(dt))
    with np.errstate(invalid="ignore"):  # signaling NaNs are data here, not errors
        values = a.astype(np.float64)
        nan, finite = np.isnan(a), np.isfinite(a)
    out = [format_float(v) for v in values.tolist()]
    if dt == np.float64:
        return out
    nan_bits = int(np.array(np.nan, dt).view(_uint(dt)))
    for i in np.flatnonzero(nan):
        b = int(bits[i])
        out[i] = "nan" if b == nan_bits else f"nan(0x{b:0{2 * dt.itemsize}x})"
    todo = np.flatnonzero(finite)
    # numpy prints the shortest unique digits of f16 and f32; bf16 tries 1 to 5 digits.
    attempts = [str] if dt in (np.float16, np.float32) else [
        (lambda x, p=p: f"{float(x):.{p}g}") for p in range(1, 6)]
    for attempt in attempts:
        if not todo.size:
            break
        texts = [attempt(x) for x in a[todo]]
        back = narrow(np.array([float(t) for t in texts]), dt).view(_uint(dt))
        ok = back == bits[todo]
        for i, t, good in zip(todo.tolist(), texts, ok.tolist()):
            if good:
                out[i] = t if "." in t or "e" in t else t + ".0"
        todo = todo[~ok]
    return out


def _format_elements(a: np.ndarray) -> list[str]:
    flat = a.reshape(-1)
    if a.dtype.kind in "iu":
        return [str(x) for x in flat.tolist()]
    if a.dtype.kind == "c":
        parts = _format_reals(flat.view(flat.real.dtype))  # (re, im) pairs in memory order
        return [f"({re_}, {im})" for re_, im in zip(parts[0::2], parts[1::2])]
    return _format_reals(flat)


def format_dense(a: np.ndarray) -> str:
    """`dense<s32[2][2]: [[1, 2], [3, 4]]>`: the elements, exactly, in row-major order."""
    t = TensorType(dtypes.from_numpy(a.dtype), a.shape)
    return f"dense<{format_type(t)}: {_nest(_format_elements(np.ascontiguousarray(a)), a.shape)}>"


def _nest(flat, shape) -> str:
    if not shape:
        return flat[0]
    if shape[0] == 0:
        return "[]"
    step = len(flat) // shape[0]
    return "[" + ", ".join(_nest(flat[i * step:(i + 1) * step], shape[1:])
                           for i in range(shape[0])) + "]"


def format_attr_dict(attrs: dict, order=()) -> str:
    """`{k = v, ...}` with the keys of `order` first; nothing when empty."""
    if not attrs:
        return ""
    keys = [k for k in order if k in attrs] + [k for k in attrs if k not in order]
    for k in keys:
        if not _IDENT.match(k):
            raise ArgumentError(f"attribute name {k!r} is not an identifier")
    return " {" + ", ".join(f"{k} = {format_attr(attrs[k])}" for k in keys) + "}"


# ---------------------------------------------------------------------------
# Value names
# ---------------------------------------------------------------------------

class Namer:
    """The printed names of a function's values, unique in the whole function.

    A value with a hint (a user variable name) is `%hint`, later values with the
    same hint `%hint.1`, `%hint.2`; other values are numbered `%0`, `%1`, ... in
    the order they are defined. A multi-result op is one number `%3`, its
    results `%3#0`, `%3#1`.
    """

    def __init__(self, fn: Function):
        self.names: dict[Value, str] = {}
        self._next = 0
        self._hints: dict[str, int] = {}
        self._block(fn.body)

    def __contains__(self, v):
        return v in self.names

    def __getitem__(self, v: Value) -> str:
        return self.names.get(v, "%<undefined>")

    def _block(self, block: Block):
        for a in block.args:
            self._single(a)
        for op in block.ops:
            if len(op.results) == 1:
                self._single(op.results[0])
            elif op.results:
                n = self._number()
                for i, r in enumerate(op.results):
                    self.names.setdefault(r, f"{n}#{i}")
            for region in op.regions:
                self._block(region)

    def _single(self, v: Value):
        if v in self.names:
            return  # a value defined twice keeps its first name (the verifier reports it)
        if v.hint and _IDENT.match(v.hint):
            k = self._hints.get(v.hint, 0)
            self._hints[v.hint] = k + 1
            self.names[v] = f"%{v.hint}" if k == 0 else f"%{v.hint}.{k}"
        else:
            self.names[v] = self._number()

    def _number(self):
        self._next += 1
        return f"%{self._next - 1}"

    def group(self, op: Operation) -> str:
        """The name on the left of `=`: `%x`, or `%3:2` for several results."""
        if len(op.results) == 1:
            return self[op.results[0]]
        return f"{self[op.results[0]].split('#')[0]}:{len(op.results)}"


# ---------------------------------------------------------------------------
# Ops, functions, modules
# ---------------------------------------------------------------------------

def _params(values, names: Namer) -> str:
    return ", ".join(f"{names[v]}: {format_type(v.type)}" for v in values)


def _op_lines(op: Operation, names: Namer, depth: int) -> list[str]:
    pad = INDENT * depth
    operands = ", ".join(names[v] for v in op.operands)
    if op.name in TERMINATORS:
        return [f"{pad}{op.name}{' ' if operands else ''}{operands}{format_loc(op.loc)}"]
    opdef = registry.all_ops().get(op.name)
    head = (f"{pad}{names.group(op) + ' = ' if op.results else ''}{op.name}({operands})"
            f"{format_attr_dict(op.attrs, tuple(opdef.attrs) if opdef else ())}"
            f" : {format_types(op.result_types) or '()'}")
    if not op.regions:
        return [head + format_loc(op.loc)]
    lines, line = [], head + " ("
    for i, region in enumerate(op.regions):
        lines.append(line + "{")
        if region.args:
            lines.append(f"{pad}^({_params(region.args, names)}):")
        for inner in region.ops:
            lines.extend(_op_lines(inner, names, depth + 1))
        line = pad + "}" + (", " if i + 1 < len(op.regions) else "")
    lines.append(line + ")" + format_loc(op.loc))
    return lines


def print_function(fn: Function) -> str:
    names = Namer(fn)
    results = fn.result_types
    ret = format_type(results[0]) if len(results) == 1 else f"({format_types(results)})"
    attrs = format_attr_dict(fn.attrs)
    lines = [f"func @{word(fn.name)}({_params(fn.params, names)}) -> {ret}"
             f"{' attributes' + attrs if attrs else ''}{format_loc(fn.loc)} {{"]
    for op in fn.body.ops:
        lines.extend(_op_lines(op, names, 1))
    lines.append("}")
    return "\n".join(lines) + "\n"


def print_module(module: Module) -> str:
    parts = [f"module @{word(module.name)}\n"] if module.name is not None else []
    parts += [print_function(fn) for fn in module.functions.values()]
    return "\n".join(parts)
