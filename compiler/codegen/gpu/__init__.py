"""The GPU backends: `--target cuda` (NVPTX: PTX and cubins) and `--target rocm`
(AMDGPU code objects). docs/gpu.md describes the pipeline and the artifact."""
from .driver import compile_gpu_module  # noqa: F401
from .targets import DEFAULT_ARCH, KINDS  # noqa: F401
