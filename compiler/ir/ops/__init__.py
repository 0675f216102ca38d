"""Every op of the IR, grouped by kind; importing this package registers them all."""
from . import cast, creation, elementwise, reductions, linalg, shape, control, autodiff  # noqa: F401
from . import bitwise, complex_parts, predicates, unary_math  # noqa: F401
from . import cumulative, sorting, windows, folds  # noqa: F401
from . import indexing  # noqa: F401
from . import conv  # noqa: F401
from . import hooks  # noqa: F401
