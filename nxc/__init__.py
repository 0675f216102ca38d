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
from .indexed import *  # noqa: F401,F403
from .indexed import __all__ as _indexed_all
from .shape_ops import *  # noqa: F401,F403
from .shape_ops import __all__ as _shape_ops_all
from .convolution import conv  # noqa: F401
from .hooks import print_expr, print_value  # noqa: F401
from .elementwise import *  # noqa: F401,F403
from .elementwise import __all__ as _elementwise_all
from .creation import *  # noqa: F401,F403
from .creation import __all__ as _creation_all
from .aliases import *  # noqa: F401,F403
from .aliases import __all__ as _aliases_all
from .sorting import *  # noqa: F401,F403
from .cumulative import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .folds import *  # noqa: F401,F403
from . import cumulative as _cumulative, sorting as _sorting  # noqa: E402
from . import folds as _folds, statistics as _statistics, windows as _windows  # noqa: E402,E501
from . import constants, nn  # noqa: F401,E402
from .nn import gelu, log_softmax, one_hot, relu, silu, softmax  # noqa: F401
from .tensor import Tensor, from_dlpack, tensor  # noqa: F401
from .defn import defn, jit  # noqa: F401
from .autodiff import custom_grad, grad, stop_grad, value_and_grad  # noqa: F401
from .batching import devectorize, vectorize, vmap  # noqa: F401
from nxc.runtime import load  # noqa: F401
from nxc.runtime.threads import get_num_threads, set_num_threads  # noqa: F401
from nxc.runtime.errors import (  # noqa: F401
    ArgumentError, AxisNameError, CompileError, DTypeError, NxcError, ShapeError)

__all__ = ["DType", "Dim", "TensorType", "Tensor", "tensor", "from_dlpack", "defn", "jit", "load",
           "grad", "value_and_grad", "stop_grad", "custom_grad", "vmap", "vectorize",
           "devectorize", "NxcError", "ArgumentError", "AxisNameError", "CompileError",
           "DTypeError", "ShapeError", "set_num_threads", "get_num_threads",
           "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
           "f16", "bf16", "f32", "f64", "c64", "c128", *_api_all, *_indexed_all, *_shape_ops_all, "conv",
           "print_value", "print_expr",
           *_elementwise_all, *_creation_all, *_aliases_all, "constants", "nn", *nn.TOP_LEVEL,
           *_sorting.__all__, *_cumulative.__all__, *_windows.__all__, *_statistics.__all__,
           *_folds.__all__]
