"""What a name can stand for while a defn is lowered, besides tensors and Python values.

Inside `defn` a variable holds a traced tensor (an IR `Value`, or a
`Vectorized` one made by `nx.vectorize`: an IR value with vectorized leading
axes, whose `.type` is the type of one entry), a static Python value (number,
string, tuple, dtype, tensor type ...), or one of the callables and namespaces
below. Tuples nest; `flatten`/`unflatten` turn a nested result
into a flat list of leaves and back.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from nxc.compiler.ir.core import Value
from nxc.compiler.passes.batching.vectorized import Vectorized


@dataclass(eq=False)
class DefnRef:
    """A `@defn` function, called by inlining its body (the file is never executed)."""

    name: str
    node: ast.FunctionDef
    src: object  # Source
    module: object  # the scope its global names resolve in


@dataclass(eq=False)
class LocalFunction:
    """A `def` or `lambda` inside a defn; it sees the variables of its enclosing scope."""

    name: str
    node: ast.AST  # ast.FunctionDef or ast.Lambda
    src: object
    scope: object  # the enclosing Scope (closures read it when called)
    defaults: dict = field(default_factory=dict)  # parameter -> static default


@dataclass(eq=False)
class Namespace:
    """A module seen from defn: `nx`, `math`, or a user module read from disk."""

    name: str
    lookup: object  # (attribute name) -> value, or raises KeyError


@dataclass(eq=False)
class Opaque:
    """Something defn cannot use (a plain Python function, a class, numpy ...).

    Using it is an error; `why` says what it is and what to do instead.
    """

    name: str
    why: str


@dataclass(eq=False)
class Builtin:
    """A Python builtin that defn gives a meaning to (abs, min, max, len ...)."""

    name: str
    fn: object  # (lowerer, args, kwargs, node) -> value


@dataclass(eq=False)
class StaticFunction:
    """A Python function of static values only (`math.sqrt`): run at compile time."""

    name: str
    fn: object


@dataclass(eq=False)
class Unbound:
    """A variable that has no value on every path here (assigned in one branch only)."""

    why: str


def is_tensor(x):
    return isinstance(x, (Value, Vectorized))


def is_vectorized(x):
    return isinstance(x, Vectorized)


def is_number(x):
    return isinstance(x, (bool, int, float, complex))


def flatten(x):
    """Leaves of a nested tuple/list, and the tree that `unflatten` rebuilds it from.

    The tree is None for a leaf and a tuple of trees for a tuple (or list).
    """
    if isinstance(x, (tuple, list)):
        leaves, trees = [], []
        for e in x:
            ls, t = flatten(e)
            leaves += ls
            trees.append(t)
        return leaves, tuple(trees)
    return [x], None


def leaf_count(tree):
    return 1 if tree is None else sum(leaf_count(t) for t in tree)


def unflatten(tree, leaves):
    it = iter(leaves)

    def build(t):
        if t is None:
            return next(it)
        return tuple(build(s) for s in t)
    return build(tree)
