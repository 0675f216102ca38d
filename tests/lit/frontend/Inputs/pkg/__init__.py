from .acts import gelu  # noqa: F401
