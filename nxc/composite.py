"""The composite table: Nx functions written as compositions of other nx functions.

`nx.logsumexp`, `nx.tril`, `nx.nn.softmax`... need no rules of their own: they
call nx.* functions, so they run eagerly, trace into defn, differentiate,
batch and compile through the primitives they use. Registering one here gives
it what a primitive gets from the op registry: the dtypes it accepts (checked
on call, with the same error), sample cases for the conformance test
(tests/unit/test_composites.py runs each against an independent oracle,
compiled and interpreted, under grad and under vmap), and a row in docs/ops.md.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.registry import dtype_list
from nxc.runtime.errors import DTypeError

from ._types import is_operand, type_of


@dataclass(frozen=True)
class Composite:
    name: str
    fn: Callable  # the public function (dtype-checked)
    accepts: tuple
    samples: Callable  # dtype -> [(operand types, keyword options)]
    differentiable: bool
    doc: str


COMPOSITES: dict[str, Composite] = {}


def composite(name=None, *, accepts=dtypes.ALL, samples, differentiable=True):
    """Decorator: register an nx function built from other nx functions.

    Its leading positional arguments that are tensors must have a dtype in
    `accepts`; `samples(dtype)` gives the (operand types, options) cases the
    conformance test runs.
    """
    accepts = tuple(accepts)

    def deco(fn):
        key = name or fn.__name__
        if key in COMPOSITES:
            raise ValueError(f"composite {key} registered twice")

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            for a in args:
                if not is_operand(a):
                    break
                t = type_of(a)
                if t.dtype not in accepts and not is_number(a):
                    raise DTypeError(f"{key} does not accept {t.dtype} (operand {t}); it "
                                     f"accepts {dtype_list(accepts)}")
            return fn(*args, **kwargs)

        COMPOSITES[key] = Composite(key, checked, accepts, samples, differentiable,
                                    (fn.__doc__ or "").strip())
        return checked
    return deco


__all__ = ["Composite", "COMPOSITES", "composite"]
