"""Python constructs defn rejects, with what to do instead.

The lowering handles a whitelist of AST nodes; every other node is an error.
This table only words the error for the common ones; a node missing from it
is still rejected, under its AST name.
"""
from __future__ import annotations

import ast

REJECTED = {
    ast.Try: ("try statements are", "errors inside defn are reported at compile time"),
    ast.With: ("with statements are", None),
    ast.AsyncWith: ("async with statements are", None),
    ast.Delete: ("del statements are", "variables inside defn cannot be deleted"),
    ast.Global: ("global declarations are", "defn functions cannot assign module variables"),
    ast.Nonlocal: ("nonlocal declarations are", "return the new value instead"),
    ast.Yield: ("yield is", "defn functions cannot be generators"),
    ast.YieldFrom: ("yield from is", "defn functions cannot be generators"),
    ast.Await: ("await is", None),
    ast.AsyncFunctionDef: ("async functions are", None),
    ast.AsyncFor: ("async for loops are", None),
    ast.ClassDef: ("class definitions are", "define classes outside the defn"),
    ast.Import: ("imports are", "import at module level"),
    ast.ImportFrom: ("imports are", "import at module level"),
    ast.Raise: ("raise statements are", "use assert on static values (shapes, types)"),
    ast.Break: ("break is", "a while loop ends when its condition is false"),
    ast.Continue: ("continue is", "use nx.select or an if on a tensor inside the loop"),
    ast.Dict: ("dict literals are", "use tuples"),
    ast.DictComp: ("dict comprehensions are", None),
    ast.Set: ("set literals are", "use tuples"),
    ast.SetComp: ("set comprehensions are", None),
    ast.JoinedStr: ("f-strings are", None),
    ast.NamedExpr: ("assignment expressions (:=) are", "assign on a line of its own"),
    ast.Match: ("match statements are", "use if/elif/else"),
}

if hasattr(ast, "TryStar"):
    REJECTED[ast.TryStar] = REJECTED[ast.Try]


def message(node) -> str:
    what, hint = REJECTED.get(type(node), (f"{type(node).__name__} (Python syntax) is", None))
    msg = f"{what} not supported inside defn"
    return f"{msg}; {hint}" if hint else msg
