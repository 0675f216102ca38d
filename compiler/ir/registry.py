"""The op registry: one entry per op, holding every rule the compiler has for it.

An entry has the op's name, its type rule (`infer`: operand types and
attributes -> result types, raising an nxc error that names the problem), its
numpy reference implementation (`ref`), its attribute schema with defaults, the
dtypes its operands accept, an optional canonicalizer of attributes (axis names
-> indices, negative axes -> positive) and the sample cases the conformance test
runs. Later stages add their own tables keyed by op name (VJP rules, batching
rules, lowerings); a test fails when one of them lacks an op.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from nxc.runtime.errors import ArgumentError, DTypeError

from . import dtypes
from .types import TensorType

REQUIRED = object()  # marks an attribute without a default


@dataclass
class OpDef:
    name: str
    infer: Callable  # (*types, **attrs) -> TensorType | tuple[TensorType, ...]
    ref: Callable  # (*arrays, **attrs) -> ndarray | tuple[ndarray, ...]
    attrs: dict[str, Any] = field(default_factory=dict)
    accepts: tuple = dtypes.ALL  # dtypes of the operands, checked before `infer`
    arity: int | None = 1  # None: variadic
    regions: int = 0
    canon: Callable | None = None  # (types, attrs) -> attrs, run before `infer`
    samples: Callable | None = None  # dtype -> [(operand types, attrs)]
    doc: str = ""
    # Operands whose dtypes decide the dtype of a Python number among the
    # operands (Nx: the tensor keeps its type when the number fits). None: all.
    typed_operands: tuple | None = None

    def scalar_dtypes(self, operands, is_tensor, dtype_of):
        """The dtype each Python-number operand takes, by Nx's rules (None for tensors).

        A number among typed operands takes the tensors' type when it fits
        (u8 + 1 is u8, u8 + 256 is u16); with numbers only, the widest literal
        type (select(p, 1, 2.5) is f32). Other numbers take their literal type.
        """
        typed = set(range(len(operands)) if self.typed_operands is None else self.typed_operands)
        tensor_types = [dtype_of(x) for i, x in enumerate(operands) if i in typed and is_tensor(x)]
        typed_nums = [x for i, x in enumerate(operands) if i in typed and not is_tensor(x)]
        base = dtypes.promote_all(tensor_types) if tensor_types else None
        if base is None and typed_nums:
            common = dtypes.promote_all([dtypes.scalar_type(x) for x in typed_nums])
        out = []
        for i, x in enumerate(operands):
            if is_tensor(x):
                out.append(None)
            elif i not in typed:
                out.append(dtypes.scalar_type(x))
            elif base is not None:
                out.append(dtypes.promote_scalar(base, x))
            else:
                out.append(common)
        return out

    def check_attrs(self, attrs: dict) -> dict:
        unknown = set(attrs) - set(self.attrs)
        if unknown:
            raise ArgumentError(
                f"{self.name} got unknown option(s) {', '.join(sorted(unknown))}; "
                f"it takes {', '.join(self.attrs) or 'no options'}")
        out = {}
        for k, default in self.attrs.items():
            if k in attrs:
                out[k] = attrs[k]
            elif default is REQUIRED:
                raise ArgumentError(f"{self.name} requires the option {k}")
            else:
                out[k] = default
        return out

    def check_operands(self, types):
        if self.arity is not None and len(types) != self.arity:
            raise ArgumentError(
                f"{self.name} takes {self.arity} operand(s), got {len(types)}")
        if self.arity is None and not types:
            raise ArgumentError(f"{self.name} takes at least one operand")
        for t in types:
            if not isinstance(t, TensorType):
                raise ArgumentError(f"{self.name} expected a tensor operand, got {t!r}")
            if t.dtype not in self.accepts:
                raise DTypeError(
                    f"{self.name} does not accept {t.dtype} (operand {t}); "
                    f"it accepts {dtype_list(self.accepts)}")

    def canonicalize(self, types, attrs: dict) -> dict:
        """Fill defaults, reject unknown options and normalize attributes for `types`."""
        self.check_operands(types)
        attrs = self.check_attrs(attrs)
        if self.canon is not None:
            attrs = self.canon(types, attrs)
        return attrs

    def result_types(self, types, attrs: dict, region_types=None) -> list[TensorType]:
        """Run the type rule on canonical attributes; always a list of result types."""
        kw = dict(attrs)
        if self.regions:
            kw["regions"] = region_types
        out = self.infer(*types, **kw)
        return list(out) if isinstance(out, (tuple, list)) else [out]


def dtype_list(types):
    types = tuple(types)
    for label, group in (("every type", dtypes.ALL), ("real types", dtypes.REAL),
                         ("integer types", dtypes.INTEGER), ("float types", dtypes.FLOAT),
                         ("floating and complex types", dtypes.INEXACT)):
        if set(types) == set(group):
            return label
    return ", ".join(t.name for t in types)


OPS: dict[str, OpDef] = {}


def register(name, *, ref, attrs=None, accepts=dtypes.ALL, arity=1, regions=0,
             canon=None, samples=None, typed_operands=None):
    """Decorator: the decorated function is the op's type rule."""
    def deco(infer):
        if name in OPS:
            raise ValueError(f"op {name} registered twice")
        OPS[name] = OpDef(name, infer, ref, dict(attrs or {}), tuple(accepts), arity,
                          regions, canon, samples, (infer.__doc__ or "").strip(),
                          typed_operands)
        return infer
    return deco


def get(name) -> OpDef:
    _load()
    op = OPS.get(name)
    if op is None:
        raise ArgumentError(f"unknown op {name!r}")
    return op


def all_ops() -> dict[str, OpDef]:
    _load()
    return OPS


def _load():
    from . import ops  # noqa: F401  (registers every op)


def execute(op: OpDef, arrays, attrs: dict, result_types, regions=None):
    """Run an op's reference implementation and coerce each result to its IR type.

    The coercion is a checked one: a reference that gives the wrong shape is a
    bug in nxc, reported as such.
    """
    kw = dict(attrs)
    if op.regions:
        kw["regions"] = regions
    out = op.ref(*arrays, **kw)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if len(outs) != len(result_types):
        raise AssertionError(f"{op.name}: reference gave {len(outs)} results, "
                             f"type rule {len(result_types)}")
    return [_coerce(op.name, np.asarray(o), t) for o, t in zip(outs, result_types)]


def _coerce(name, a: np.ndarray, t: TensorType):
    if t.is_static and a.shape != t.shape:
        raise AssertionError(f"{name}: reference gave shape {a.shape}, type rule {t}")
    if not t.is_static and a.ndim != t.rank:
        raise AssertionError(f"{name}: reference gave rank {a.ndim}, type rule {t}")
    if a.dtype != t.dtype.numpy:
        raise AssertionError(f"{name}: reference gave {a.dtype}, type rule {t.dtype}")
    return a


__all__ = ["OpDef", "OPS", "REQUIRED", "register", "get", "all_ops", "execute"]
