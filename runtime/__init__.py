"""The nxc runtime: what a compiled artifact needs at run time.

It imports only the standard library, numpy and ml_dtypes, never the compiler.
`load(path)` opens an artifact directory; `set_result_wrapper` chooses what
compiled functions return.
"""
from .loader import Artifact, load, load_package  # noqa: F401
from .results import set_result_wrapper  # noqa: F401
