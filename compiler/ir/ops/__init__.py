"""Every op of the IR, grouped by kind; importing this package registers them all."""
from . import cast, creation, elementwise, reductions, linalg, shape, control, autodiff  # noqa: F401
