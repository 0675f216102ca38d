"""The exceptions nxc raises. Every error a user can trigger is one of these.

They live in the runtime so that artifacts and the compiler share one hierarchy
without the runtime importing the compiler.
"""


class NxcError(Exception):
    """Base class of every error nxc raises on purpose."""


class DTypeError(NxcError, TypeError):
    """A tensor type is unknown or not accepted by an operation."""


class ShapeError(NxcError, ValueError):
    """Shapes are incompatible, or an axis or shape argument is out of range."""


class AxisNameError(NxcError, ValueError):
    """Axis names do not merge, or a named axis does not exist."""


class ArgumentError(NxcError, ValueError):
    """An operation got an option or argument it cannot take."""


class IRParseError(NxcError, ValueError):
    """The textual IR could not be parsed."""


class VerifyError(NxcError):
    """An IR module breaks an invariant of the IR."""


class CompileError(NxcError):
    """An error located in the user's source: `file:line:col: error: message`.

    `loc` is a `Loc` (file, line, col, 1-based line and column); the rendered
    message carries the source line and a caret when the file can be read.
    """

    def __init__(self, message, loc=None, source_line=None):
        self.message = message
        self.loc = loc
        self.source_line = source_line
        super().__init__(self.render())

    def render(self):
        if self.loc is None or not getattr(self.loc, "file", None):
            return f"error: {self.message}"
        head = f"{self.loc.file}:{self.loc.line}:{self.loc.col}: error: {self.message}"
        line = self.source_line
        if line is None:
            line = _read_line(self.loc.file, self.loc.line)
        if line is None:
            return head
        caret = " " * max(self.loc.col - 1, 0) + "^"
        return f"{head}\n{line.rstrip()}\n{caret}"


def _read_line(path, lineno):
    try:
        with open(path, encoding="utf-8") as f:
            for i, text in enumerate(f, 1):
                if i == lineno:
                    return text
    except OSError:
        return None
    return None


class ArtifactError(NxcError):
    """A compiled artifact is missing, truncated, modified or not an nxc artifact."""


class TargetError(ArtifactError):
    """A compiled artifact was built for another machine (CPU features, architecture)."""


class DeviceError(NxcError):
    """A GPU cannot be used: no driver, no such device, or a driver call failed."""


class DriverNotFoundError(DeviceError):
    """The GPU driver library (libcuda.so.1, libamdhip64.so) cannot be loaded."""


class OutOfMemoryError(DeviceError, MemoryError):
    """A device allocation failed for lack of memory."""
