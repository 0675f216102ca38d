"""Control flow with regions: cond, while, for.

Regions are blocks that may use the values of the blocks around them. Type rules
get `regions=[(arg_types, result_types), ...]`; references get one callable per
region, which runs it on arrays and returns the arrays it yields. Branches and
loop bodies must give exactly the types the op declares (dtype, shape and names):
the frontend inserts the broadcasts and casts, the IR never guesses them.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, AxisNameError, DTypeError, ShapeError

from .. import dtypes
from ..registry import REQUIRED, register
from ..types import TensorType

_INDEX = TensorType(dtypes.s32, ())


def _check_regions(op, regions, names):
    if regions is None or len(regions) != len(names):
        got = 0 if regions is None else len(regions)
        raise ArgumentError(f"{op} takes {len(names)} region(s) ({', '.join(names)}), got {got}")


def _same_types(op, expected, got, what_expected, what_got):
    """Raise unless the types `got` equal `expected`, naming the entry that differs."""
    if len(got) != len(expected):
        raise ShapeError(f"{op}: {what_got} gives {len(got)} value(s), "
                         f"{what_expected} {len(expected)}")
    for i, (e, g) in enumerate(zip(expected, got)):
        if e == g:
            continue
        where = f"{op}: entry {i} of {what_got} is {g}, {what_expected} is {e}"
        if e.dtype != g.dtype:
            raise DTypeError(where)
        if e.shape != g.shape:
            raise ShapeError(where)
        raise AxisNameError(where)


def _check_predicate(op, t, what):
    if t.rank != 0:
        raise ShapeError(f"{op} {what} must be a scalar, got {t}")
    if t.dtype.is_complex:
        raise DTypeError(f"{op} {what} must be a real scalar, got {t}")


# ---------------------------------------------------------------------------
# cond
# ---------------------------------------------------------------------------

def _cond_ref(pred, *, regions):
    on_true, on_false = regions
    return on_true() if pred != 0 else on_false()


@register("cond", ref=_cond_ref, accepts=dtypes.REAL, regions=2)
def cond(pred, *, regions):
    """Runs the first region when the scalar `pred` is nonzero, else the second.

    Neither region takes arguments; both must yield the same types, which are
    the results.
    """
    _check_regions("cond", regions, ("then", "else"))
    _check_predicate("cond", pred, "predicate")
    (then_args, then_types), (else_args, else_types) = regions
    if then_args or else_args:
        raise ArgumentError("cond regions take no arguments")
    _same_types("cond", then_types, else_types, "the then branch", "the else branch")
    return tuple(then_types)


# ---------------------------------------------------------------------------
# while
# ---------------------------------------------------------------------------

def _while_ref(*state, regions):
    test, body = regions
    state = list(state)
    while test(*state)[0] != 0:
        state = body(*state)
    return state


@register("while", ref=_while_ref, arity=None, regions=2)
def while_(*state, regions):
    """Repeats the body on the state while the condition region yields nonzero.

    Both regions take the state; the condition yields one real scalar, the body
    yields the next state with exactly the state's types. Results: the final state.
    """
    _check_regions("while", regions, ("cond", "body"))
    (cond_args, cond_types), (body_args, body_types) = regions
    _same_types("while", state, cond_args, "the state", "the cond region's arguments")
    _same_types("while", state, body_args, "the state", "the body region's arguments")
    if len(cond_types) != 1:
        raise ShapeError(f"while: the cond region must yield one scalar, "
                         f"got {len(cond_types)} value(s)")
    _check_predicate("while", cond_types[0], "condition")
    _same_types("while", state, body_types, "the state", "the body's result")
    return tuple(state)


# ---------------------------------------------------------------------------
# for
# ---------------------------------------------------------------------------

def _canon_for(types, attrs):
    out = {}
    for k in ("start", "stop", "step"):
        v = attrs[k]
        if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)):
            raise ArgumentError(f"for option {k} must be an int, got {v!r}")
        lo, hi = dtypes.s32.min_value(), dtypes.s32.max_value()
        if not lo <= v <= hi:
            raise ArgumentError(f"for option {k} = {v} does not fit the s32 loop index")
        out[k] = int(v)
    if out["step"] == 0:
        raise ArgumentError("for option step must not be 0")
    return out


def _for_ref(*state, start, stop, step, regions):
    (body,) = regions
    state = list(state)
    for i in range(start, stop, step):
        state = body(np.asarray(i, dtype=np.int32), *state)
    return state


@register("for", ref=_for_ref, attrs={"start": REQUIRED, "stop": REQUIRED, "step": 1},
          arity=None, regions=1, canon=_canon_for)
def for_(*state, start, stop, step, regions):
    """Runs the body for i in range(start, stop, step) (static ints) on the state.

    The body takes the index (an s32 scalar) and the state and yields the next
    state with exactly the state's types. Results: the final state.
    """
    _check_regions("for", regions, ("body",))
    ((args, types),) = regions
    if not args or args[0] != _INDEX:
        first = args[0] if args else "nothing"
        raise DTypeError(f"for: the body's first argument must be the index ({_INDEX}), "
                         f"got {first}")
    _same_types("for", state, args[1:], "the state", "the body's arguments after the index")
    _same_types("for", state, types, "the state", "the body's result")
    return tuple(state)
