"""Entry points of the frontend: a defn (with argument types and options) -> an IR function.

`lower_defn` lowers one specialization: its positional parameters are the
tensor arguments (typed by their annotations, or by the call for the JIT), its
keyword-only parameters are static options (the given values, else their
defaults). `compile_file` reads a model file without executing it and lowers
every fully annotated `@defn` in it, and its module-level transformed functions
(`dloss = nx.grad(loss)`, exports.py).
"""
from __future__ import annotations

import ast
import types
from dataclasses import dataclass

from nxc._dispatch import apply, building
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Function, Module
from nxc.compiler.passes.batching import vectorized
from nxc.runtime.errors import CompileError

from . import exports, resolve
from .diagnostics import error
from .lower import Lowerer, Return, Session, describe
from .values import DefnRef, flatten, is_number, is_tensor, is_vectorized


@dataclass
class Lowered:
    """One specialization: its IR function, and how its flat results nest (for callers)."""

    function: Function
    module: Module
    result_tree: object  # None: one result; a tuple of trees: a (nested) tuple


def parameters(ref: DefnRef):
    """(tensor parameter nodes, option parameter nodes) of a top-level defn."""
    a = ref.node.args
    for extra, what in ((a.vararg, "*"), (a.kwarg, "**")):
        if extra is not None:
            raise error(ref.src, extra, f"a defn cannot take {what}{extra.arg}: its "
                                        f"parameters are tensors, and static options after *")
    positional = a.posonlyargs + a.args
    if a.defaults:
        p = positional[len(positional) - len(a.defaults)]
        raise error(ref.src, p, f"parameter {p.arg} has a default, but positional parameters "
                                f"of a defn are tensors; make it keyword-only (after *) to use "
                                f"it as a static option")
    return positional, a.kwonlyargs


def annotation_types(ref: DefnRef):
    """The annotated type of each positional parameter (None where unannotated)."""
    lw = Lowerer(Session(), ref.src, ref.module, None)
    positional, _ = parameters(ref)
    return [lw.annotation(p.annotation) if p.annotation is not None else None
            for p in positional]


def is_fully_annotated(ref: DefnRef) -> bool:
    a = ref.node.args
    return all(p.annotation is not None for p in a.posonlyargs + a.args)


def lower_defn(ref: DefnRef, arg_types=None, options=None, module=None) -> Lowered:
    """Lower `ref` into a function of `module` (a new one by default).

    `arg_types[i]` types an unannotated positional parameter (the JIT gives the
    call's types; an annotation wins when both exist, and the call's arrays are
    checked against it when the function runs). `options` gives keyword-only
    parameters by name.
    """
    options = dict(options or {})
    module = module if module is not None else Module()
    positional, kwonly = parameters(ref)
    builder = Builder()
    lw = Lowerer(Session(), ref.src, ref.module, builder)
    types = []
    for i, p in enumerate(positional):
        if p.annotation is not None:
            types.append(lw.annotation(p.annotation))
        elif arg_types is not None and i < len(arg_types) and arg_types[i] is not None:
            types.append(arg_types[i])
        else:
            raise error(ref.src, p, f"parameter {p.arg} of {ref.name} has no type: annotate it "
                                    f"(like {p.arg}: nx.f32[3]) or call the function from Python "
                                    f"so that its argument gives the type")
    unknown = set(options) - {p.arg for p in kwonly}
    if unknown:
        raise error(ref.src, ref.node, f"{ref.name} has no option {', '.join(sorted(unknown))}; "
                                       f"its options are {[p.arg for p in kwonly]}")
    defaults = lw.defaults(ref.node)
    doc = ast.get_docstring(ref.node) if isinstance(ref.node, ast.FunctionDef) else None
    fn = builder.function(module, ref.name, types, [p.arg for p in positional],
                          loc=ref.src.loc(ref.node), **({"doc": doc} if doc else {}))
    lw.session.stack.append(ref.node)
    with building(builder), builder.at(fn.body):
        for p, v in zip(positional, fn.params):
            lw.scope.vars[p.arg] = v
        for p in kwonly:
            if p.arg in options:
                lw.scope.vars[p.arg] = option_value(p.arg, options[p.arg])
            elif p.arg in defaults:
                lw.scope.vars[p.arg] = defaults[p.arg]
            else:
                raise error(ref.src, p, f"option {p.arg} of {ref.name} has no default and "
                                        f"no value was given")
        if isinstance(ref.node, ast.Lambda):
            r = Return(lw.expr(ref.node.body), ref.node.body)
        else:
            r = lw.exec_body(ref.node.body)
        if r is None or r.value is None:
            raise error(ref.src, r.node if r is not None else ref.node,
                        f"{ref.name} must return a tensor or a tuple of tensors")
        leaves, tree = flatten(r.value)
        out = []
        for x in leaves:
            if is_number(x):
                x = lw.constant(x, r.node)
            if is_vectorized(x):
                # Returned devectorized (keep_names=True): the vectorized axes lead,
                # named after them.
                x = vectorized.devectorize(apply, x, keep_names=True)
            if not is_tensor(x):
                raise error(ref.src, r.node, f"{ref.name} returns {describe(x)}; a defn returns "
                                             f"tensors, numbers or tuples of them")
            out.append(x)
        builder.terminate("return", out, loc=ref.src.loc(r.node))
    return Lowered(fn, module, tree)


def option_value(name, value):
    """A static option given by the caller, as the lowering sees it.

    A Python function given as an option is lowered like a defn where it is
    called (Nx passes functions as options); other values are read as globals are.
    """
    if isinstance(value, types.FunctionType):
        from nxc.defn import DefnFunction
        return DefnFunction(value).ref
    return resolve.wrap_live(name, value)


def find_functions(path):
    """The file's `@defn` functions (DefnRef) and module-level transformed functions
    (`Export`: `dloss = nx.grad(loss)`, see exports.py), in source order."""
    loader = resolve.Loader(path)
    scope = loader.entry(path)
    found = {stmt: Export(name, value, scope.src, stmt)
             for name, value, stmt in exports.find_exports(scope)}
    out = []
    for stmt in scope.tree.body:
        if isinstance(stmt, ast.FunctionDef):
            value = scope.lookup(stmt.name)
            if isinstance(value, DefnRef) and value.node is stmt:
                out.append(value)
        elif stmt in found:
            out.append(found[stmt])
    return out


@dataclass
class Export:
    """`name = nx.grad(...)` (or value_and_grad, vmap) at the top of a model file."""

    name: str
    value: object  # the GradFunction or Vmapped the expression makes
    src: object
    stmt: ast.stmt

    def function(self) -> Function:
        """Its IR function; raises exports.NotExportable when it has no typed signature."""
        return exports.exported(self.name, self.value, self.src, self.stmt)


def compile_file(path, names=None) -> Module:
    """The IR module of the fully annotated `@defn` functions of a file and of its
    module-level transformed functions (exports.py), or of those named.

    The file is read, never executed; so are the files it imports. An export
    whose defn is not fully annotated is skipped, unless it is named.
    """
    found = find_functions(path)
    if names:
        by_name = {f.name: f for f in found}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise CompileError(
                f"{path} has no @defn or exported function named {', '.join(missing)}; its "
                f"functions are {', '.join(by_name) or 'none'}")
        found = [by_name[n] for n in names]
        for r in found:
            if isinstance(r, DefnRef) and not is_fully_annotated(r):
                p = next(p for p in r.node.args.posonlyargs + r.node.args.args
                         if p.annotation is None)
                raise error(r.src, p, f"parameter {p.arg} of {r.name} has no type annotation; "
                                      f"nxc compile needs one for every parameter "
                                      f"(like {p.arg}: nx.f32[3])")
    module = Module()
    for f in found:
        if isinstance(f, DefnRef):
            if names or is_fully_annotated(f):
                lower_defn(f, module=module)
            continue
        try:
            module.add(f.function())
        except exports.NotExportable as why:
            if names:
                raise exports.not_exportable(f.src, f.stmt, f.name, why) from None
    return module
