"""Helpers of the gradient tests: build IR functions, check gradients against
central finite differences in f64 (step 1e-4, atol 1e-7, rtol 1e-4, as Nx)."""
import numpy as np

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.compiler.passes.grad import grad_function
from nxc.compiler.passes.inline import inline

STEP, ATOL, RTOL = 1e-4, 1e-7, 1e-4


def function(types, body, name="f"):
    """An IR function of parameters `types` whose result is `body(builder, *params)`."""
    b = Builder()
    fn = b.function(Module(), name, list(types))
    with b.at(fn.body):
        out = body(b, *fn.params)
        b.terminate("return", list(out) if isinstance(out, (list, tuple)) else [out])
    return verify_function(fn)


def weighted(types, body, weights):
    """sum(body(...) * weights): a scalar function whose gradient seeds `body`'s
    result with `weights` instead of ones."""
    def scalar(b, *params):
        y = body(b, *params)
        return b.op("sum", b.op("multiply", y, b.constant(weights)))
    return function(types, scalar)


def value(fn, *args):
    (out,) = run_function(fn, *args)
    return float(out)


def finite_differences(fn, args, argnums):
    """Central differences of the scalar `fn` with respect to the arguments `argnums`."""
    grads = []
    for i in argnums:
        x = np.array(args[i], dtype=np.float64)
        g = np.zeros(x.shape)
        for idx in np.ndindex(x.shape):
            def at(delta):
                shifted = x.copy()
                shifted[idx] += delta
                return value(fn, *args[:i], shifted, *args[i + 1:])
            g[idx] = (at(STEP) - at(-STEP)) / (2 * STEP)
        grads.append(g)
    return grads


def gradients(fn, args, argnums, **options):
    """The gradients grad_function computes (its IR verified), as arrays."""
    g = verify_function(grad_function(fn, argnums, **options))
    return run_function(g, *args)


def check_gradients(fn, args, argnums, **options):
    """The gradients of `fn` agree with finite differences; returns them."""
    got = gradients(fn, args, argnums, **options)
    want = finite_differences(fn, args, argnums)
    for i, g, w in zip(argnums, got, want):
        assert g.dtype == np.asarray(args[i]).dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=f"argument {i}")
    return got


def second_order(fn, argnums, weights, **options):
    """sum over argnums of sum(grad_i * weights_i): a scalar function whose
    gradient is a second derivative of `fn`."""
    g = grad_function(fn, argnums, **options)

    def body(b, *params):
        grads = inline(g, b, params)
        terms = [b.op("sum", b.op("multiply", gi, b.constant(w))) for gi, w in zip(grads, weights)]
        total = terms[0]
        for t in terms[1:]:
            total = b.op("add", total, t)
        return total
    return function(fn.param_types, body, name="second")


def f64(*shape, names=None):
    return TensorType(T.f64, shape, names)


# ---------------------------------------------------------------------------
# Control flow, built as the frontend builds it
# ---------------------------------------------------------------------------

INDEX = TensorType(T.s32, ())


def _results(out):
    return out if isinstance(out, list) else [out]


def cond(b, pred, then_fn, else_fn):
    """cond(pred) { then_fn(b) } { else_fn(b) }: a list of results."""
    regions = []
    for fn in (then_fn, else_fn):
        blk = b.region()
        with b.at(blk):
            b.terminate("yield", list(fn(b)))
        regions.append(blk)
    return _results(b.op("cond", pred, regions=regions))


def for_loop(b, init, start, stop, body_fn, step=1):
    """for i in range(start, stop, step): state = body_fn(b, i, *state)."""
    blk = b.region([INDEX] + [v.type for v in init])
    with b.at(blk):
        b.terminate("yield", list(body_fn(b, *blk.args)))
    return _results(b.op("for", *init, start=start, stop=stop, step=step, regions=[blk]))


def while_loop(b, init, test_fn, body_fn):
    """while test_fn(b, *state): state = body_fn(b, *state)."""
    types = [v.type for v in init]
    test, body = b.region(types), b.region(types)
    with b.at(test):
        b.terminate("yield", [test_fn(b, *test.args)])
    with b.at(body):
        b.terminate("yield", list(body_fn(b, *body.args)))
    return _results(b.op("while", *init, regions=[test, body]))
