"""Nx-style printing of tensors:

    nx.Tensor<
      f32[rows: 2][3]
      [
        [1.0, 2.0, 3.0],
        [4.0, 5.0, 6.0]
      ]
    >

As in Nx, the innermost axis is printed on one line, at most LIMIT elements are
shown (then `...`), and non-finite floats read NaN, Inf, -Inf. Floats are
printed with the fewest digits that read back to the same value of the
tensor's own type (f32 0.1 prints 0.1, not 0.10000000149011612 as in Nx);
integral values below 1e16 print exactly (f16 65504 is 65504.0).
"""
from __future__ import annotations

import math

import numpy as np

from nxc.compiler.ir.types import TensorType

LIMIT = 50


def format_tensor(array: np.ndarray, t: TensorType) -> str:
    fmt = _element_formatter(array.dtype)
    body, _ = _chunk(array, LIMIT, fmt)
    inner = f"{t}\n{body}".replace("\n", "\n  ")
    return f"nx.Tensor<\n  {inner}\n>"


def _chunk(a: np.ndarray, limit: int, fmt):
    """(text, elements still allowed) for `a`, eliding after `limit` elements as Nx does."""
    if a.ndim == 0:
        return fmt(a[()]), limit - 1
    parts = []
    for i in range(a.shape[0]):
        if limit == 0:
            parts.append("...")
            break
        text, limit = _chunk(a[i], limit, fmt)
        parts.append(text)
    if not parts:
        return "[]", limit
    if a.ndim == 1:
        return "[" + ", ".join(parts) + "]", limit
    rows = ",\n".join(parts).replace("\n", "\n  ")
    return "[\n  " + rows + "\n]", limit


def _element_formatter(dtype: np.dtype):
    if dtype.kind in "iub":
        return lambda x: str(int(x))
    if dtype.kind == "c":
        def fmt_complex(z):
            re, im = format_float(z.real), format_float(z.imag)
            sign = "" if im.startswith("-") else "+"
            return f"{re}{sign}{im}i"
        return fmt_complex
    return format_float


def format_float(x) -> str:
    """`x` written as Elixir writes floats: exact when integral, else the shortest
    text that reads back to `x` in its own type."""
    v = float(x)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    if v == int(v) and abs(v) < 1e16:
        return f"{int(v)}.0" if v or math.copysign(1, v) > 0 else "-0.0"
    kind = type(x)
    with np.errstate(over="ignore"):
        for digits in range(1, 18):
            text = f"{v:.{digits - 1}e}"
            if kind(float(text)) == x:
                break
    text = repr(float(text))
    if "e" in text:
        mantissa, exp = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{int(exp)}"
    return text
