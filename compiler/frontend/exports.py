"""Module-level transformed functions, which `nxc compile` exports beside the defns.

    dloss = nx.grad(loss)
    vg = nx.value_and_grad(loss, argnums=(0, 1))
    per_example = nx.vmap(nx.grad(loss), in_axes=(None, 0, 0))
    batched = nx.vmap(predict, in_axes=0, axis_size="batch")

The module is not run: the right-hand side is evaluated at compile time like
any module-level constant, and `nx.grad`, `nx.value_and_grad` and `nx.vmap`
(nxc's own functions) are called for real on the file's defns
(`DefnFunction.from_ref`) and static options, so the objects are those a run
of the module would make. An export's signature comes from the annotations of
the defn it transforms: a grad takes its function's parameters; a vmap adds
the batch axis to its batched ones (an int `axis_size` gives a static size, a
name a symbolic one, and none a symbolic `?batch`).
"""
from __future__ import annotations

import ast

from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Block, Function
from nxc.compiler.passes.inline import inline

from .diagnostics import error, reporting
from .values import DefnRef, LocalFunction

TRANSFORMS = ("grad", "value_and_grad", "vmap")


def is_transform(fn) -> bool:
    import nxc
    return any(fn is getattr(nxc, name) for name in TRANSFORMS)


def call_transform(lw, fn, args, kwargs, node):
    """`nx.grad(...)`, `nx.value_and_grad(...)` or `nx.vmap(...)` at compile time, outside
    any defn: functions of the file become defns that are lowered where used."""
    from nxc.defn import DefnFunction

    from .lower import has_tensor

    def arg(a):
        if isinstance(a, DefnRef):
            return DefnFunction.from_ref(a)
        if isinstance(a, LocalFunction):
            return lw.python_callable(a, node)
        if has_tensor(a):
            raise lw.error(node, f"nx.{fn.__name__} takes a function and static options here, "
                                 f"not tensors")
        return a
    with reporting(lw.src, node):
        return fn(*map(arg, args), **{k: arg(v) for k, v in kwargs.items()})


class NotExportable(Exception):
    """Why a transformed function has no signature to compile for."""


def signature(value):
    """The argument types an export is compiled for (see the module docstring)."""
    from nxc.autodiff import GradFunction
    from nxc.batching import Vmapped
    from nxc.defn import DefnFunction
    from .driver import parameters
    if isinstance(value, DefnFunction):
        types = value.annotated_types()
        for p, t in zip(parameters(value.ref)[0], types):
            if t is None:
                raise NotExportable(f"parameter {p.arg} of {value.__name__} has no type "
                                    f"annotation (like {p.arg}: nx.f32[3])")
        return types
    if isinstance(value, GradFunction):
        return signature(value.f)
    if isinstance(value, Vmapped):
        return value.signature(signature(value.fun))
    raise NotExportable(f"it transforms {getattr(value, '__name__', type(value).__name__)}, "
                        f"which is not a @defn function of the model, so it has no signature")


def exported(name, value, src, stmt) -> Function:
    """The IR function `name` of the export `value`, located at its assignment.

    Raises NotExportable when `value` has no annotated signature."""
    with reporting(src, stmt) as loc:
        fn = value.specialize(*signature(value)).function
    b = Builder(loc=loc)
    new = Function(name, Block(fn.param_types, [p.hint for p in fn.params]), loc,
                   dict(fn.attrs))
    with b.at(new.body):
        outs = inline(fn, b, new.params)
        b.terminate("return", outs, loc=fn.body.terminator.loc)
    return new


def find_exports(scope):
    """(name, value, statement) of each module-level `name = nx.grad/value_and_grad/vmap(...)`
    of a file, in source order. Errors in those expressions are reported."""
    from nxc.runtime.errors import CompileError

    from .lower import static_value
    out = []
    for stmt in scope.tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)):
            continue
        try:
            fn = static_value(scope, stmt.value.func)
        except CompileError:  # not something defn can read: not an export
            continue
        if callable(fn) and is_transform(fn):
            out.append((stmt.targets[0].id, static_value(scope, stmt.value), stmt))
    return out


def not_exportable(src, stmt, name, why: NotExportable):
    return error(src, stmt, f"{name} cannot be compiled: {why}; nxc compile needs a typed "
                            f"signature")
