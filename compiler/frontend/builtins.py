"""The Python builtins defn gives a meaning to.

On tensors `abs`, `min` and `max` are Nx's element-wise ops and `len` is the
static size of the first axis; on static values every builtin here is
Python's own, run at compile time. Conversions of tensors to Python values
(`float(x)`, `bool(x)`) and `print` have no meaning at compile time and say
what to use instead. Any other builtin is an unknown name.
"""
from __future__ import annotations

import builtins

from nxc.compiler.ir.types import Dim

from .values import Builtin, is_tensor


def _static(lw, name, args, kwargs, node, hint, wrap=None):
    from .lower import has_tensor
    # Sequence builtins take tuples that hold tensors (they only move them).
    holds = is_tensor if wrap is not None or name in ("tuple", "list", "len") else has_tensor
    if any(holds(a) for a in list(args) + list(kwargs.values())):
        raise lw.error(node, f"{name}() of a tensor is not available inside defn: {hint}")
    try:
        out = getattr(builtins, name)(*args, **kwargs)
        return wrap(out) if wrap else out
    except (TypeError, ValueError, ArithmeticError) as e:
        raise lw.error(node, f"{name}(): {e}") from None


def static_builtin(name, hint, wrap=None):
    """A builtin of static values only; `wrap` turns an iterator it gives into a tuple."""
    return Builtin(name, lambda lw, args, kwargs, node:
                   _static(lw, name, args, kwargs, node, hint, wrap))


_CONVERT = ("a tensor's value is only known when the function runs; convert types with "
            "nx.as_type(x, nx.f32)")
_ITERATE = "a tensor cannot be iterated at compile time; index it or use nx functions"


def _abs(lw, args, kwargs, node):
    if len(args) == 1 and not kwargs and is_tensor(args[0]):
        import nxc.operators
        return lw.call_api(nxc.operators.unary, ["abs", args[0]], {}, node, "abs")
    return _static(lw, "abs", args, kwargs, node, "")


def _extremum(name):
    def fn(lw, args, kwargs, node):
        one = len(args) == 1 and isinstance(args[0], (tuple, list))
        items = list(args[0]) if one else list(args)
        if kwargs or not items or not any(is_tensor(a) for a in items):
            return _static(lw, name, args, kwargs, node, "")
        # Element-wise on tensors, as nx.max(a, b) and nx.min(a, b).
        out = items[0]
        for x in items[1:]:
            out = lw.call_api(lw.api(name, node), [out, x], {}, node, name)
        return out
    return fn


def _len(lw, args, kwargs, node):
    if len(args) == 1 and not kwargs and is_tensor(args[0]):
        t = args[0].type
        if t.rank == 0:
            raise lw.error(node, f"len() of a scalar tensor ({t}): it has no axes")
        if isinstance(t.shape[0], Dim):
            raise lw.error(node, f"len() of {t}: the first axis has the symbolic size "
                                 f"{t.shape[0]}, which is only known when the function runs")
        return t.shape[0]
    return _static(lw, "len", args, kwargs, node, "")


def _sum(lw, args, kwargs, node):
    if not args or is_tensor(args[0]):
        return _static(lw, "sum", args, kwargs, node,
                       "use nx.sum(x) to add up the elements of a tensor")
    items = args[0]
    if not isinstance(items, (tuple, list, range)):
        return _static(lw, "sum", args, kwargs, node, "")
    out = args[1] if len(args) > 1 else kwargs.get("start", 0)
    for x in items:  # Python's left fold, with tensor-aware +
        out = lw.binop_symbol("+", out, x, node)
    return out


def _print(lw, args, kwargs, node):
    raise lw.error(node, "print cannot be used inside defn: values are only known when "
                         "the function runs; use nx.print_value(x) to print a tensor then")


BUILTINS = {
    "abs": Builtin("abs", _abs),
    "min": Builtin("min", _extremum("min")),
    "max": Builtin("max", _extremum("max")),
    "len": Builtin("len", _len),
    "sum": Builtin("sum", _sum),
    "print": Builtin("print", _print),
    "range": static_builtin("range", "for loops over a tensor bound use while"),
    "float": static_builtin("float", _CONVERT),
    "int": static_builtin("int", _CONVERT),
    "bool": static_builtin("bool", _CONVERT),
    "complex": static_builtin("complex", _CONVERT),
    "tuple": static_builtin("tuple", _ITERATE),
    "list": static_builtin("list", _ITERATE),
    "zip": static_builtin("zip", _ITERATE, tuple),
    "enumerate": static_builtin("enumerate", _ITERATE, tuple),
    "reversed": static_builtin("reversed", _ITERATE, tuple),
}
