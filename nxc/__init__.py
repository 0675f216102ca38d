"""nxc: Elixir Nx semantics for Python, compiled ahead of time.

`import nxc as nx` gives `nx.defn` and `nx.jit`, the types (`nx.f32`, also
annotations: `nx.f32[3, 4]`), `nx.tensor` and `nx.Tensor`, and the Nx op
namespace (`nx.add`, `nx.sum`, ...), and `nx.load(path)` for a compiled artifact.
"""
from nxc.compiler.ir.dtypes import (  # noqa: F401
    DType, bf16, c64, c128, f16, f32, f64, s8, s16, s32, s64, u8, u16, u32, u64)
from nxc.compiler.ir.types import Dim, TensorType  # noqa: F401

from .api import *  # noqa: F401,F403
from .api import __all__ as _api_all
from .tensor import Tensor, tensor  # noqa: F401
from .defn import defn, jit  # noqa: F401
from .autodiff import custom_grad, grad, stop_grad, value_and_grad  # noqa: F401
from .batching import devectorize, vectorize, vmap  # noqa: F401
from nxc.runtime import load  # noqa: F401
from nxc.runtime.errors import (  # noqa: F401
    ArgumentError, AxisNameError, CompileError, DTypeError, NxcError, ShapeError)

__all__ = ["DType", "Dim", "TensorType", "Tensor", "tensor", "defn", "jit", "load",
           "grad", "value_and_grad", "stop_grad", "custom_grad", "vmap", "vectorize",
           "devectorize", "NxcError", "ArgumentError", "AxisNameError", "CompileError",
           "DTypeError", "ShapeError",
           "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
           "f16", "bf16", "f32", "f64", "c64", "c128", *_api_all]
