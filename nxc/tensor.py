"""`nx.Tensor`, the eager tensor, and `nx.tensor`, which builds one from host data.

A Tensor holds a C-contiguous, read-only numpy array that it owns, and one axis
name (or None) per axis. It is immutable: every operation returns a new tensor.
Operators follow Nx, not numpy (see docs/api.md and nxc/operators.py).

A tensor on a GPU (`device="cuda:0"`, or a compiled GPU function's result)
holds a `nxc.runtime.gpu.DeviceArray` instead. Its data stays on the device
until `np.asarray(t)` or `t.to("cpu")` copies it back; eager operations run on
the host and ask for that copy explicitly rather than moving data silently.
"""
from __future__ import annotations

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.ops.cast import convert
from nxc.compiler.ir.types import TensorType
from nxc.runtime import gpu
from nxc.runtime.errors import ArgumentError, DTypeError, ShapeError

from . import _format, indexing, operators


class Tensor:
    """An eager Nx tensor: a dtype, a shape, axis names and the data."""

    __slots__ = ("_array", "_names")
    # Numpy defers to our reflected operators (np_array + t is Nx's add), and
    # ufuncs applied to a Tensor ask for np.asarray(t) first.
    __array_ufunc__ = None
    # == returns a tensor, so tensors cannot be hashed.
    __hash__ = None

    def __init__(self, data, dtype=None, names=None, device=None):
        if device is None and isinstance(data, Tensor):
            device = data.device  # a converted copy stays on the tensor's device
        array, inferred_names = _from_data(data, dtype)
        self._array = _placed(array, device)
        self._names = _check_names(array.shape, names if names is not None else inferred_names)

    @classmethod
    def _wrap(cls, array, names=None):
        """A tensor over an op's result (a host array or a DeviceArray), without
        inference or checks of the data."""
        t = cls.__new__(cls)
        t._array = array if isinstance(array, gpu.DeviceArray) else _owned(np.asarray(array))
        t._names = tuple(names) if names is not None else (None,) * t._array.ndim
        return t

    @classmethod
    def _fresh(cls, array, names=None):
        """A tensor over a host array the runtime has just allocated (C-contiguous,
        owning its data, referenced nowhere else): `_wrap` without its checks,
        which cost half of a small compiled call. A device result goes to `_wrap`."""
        if type(array) is not np.ndarray:
            return cls._wrap(array, names)
        t = cls.__new__(cls)
        array.setflags(write=False)
        t._array = array
        t._names = tuple(names) if names is not None else (None,) * array.ndim
        return t

    # -- what it is -------------------------------------------------------------

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.from_numpy(self._array.dtype)

    @property
    def shape(self) -> tuple:
        return self._array.shape

    @property
    def names(self) -> tuple:
        return self._names

    @property
    def type(self) -> TensorType:
        return TensorType(self.dtype, self.shape, self._names)

    @property
    def rank(self) -> int:
        return self._array.ndim

    @property
    def size(self) -> int:
        return self._array.size

    # -- where it lives ---------------------------------------------------------

    @property
    def device(self) -> str:
        """`"cpu"`, or the GPU holding the data (`"cuda:0"`)."""
        a = self._array
        return "cpu" if isinstance(a, np.ndarray) else str(a.device)

    def to(self, device) -> "Tensor":
        """This tensor on `device` ("cpu", "cuda", "cuda:N", "rocm:N"): itself when it
        is there already, else a copy."""
        target = gpu.parse(device)
        if str(target) == self.device:
            return self
        return Tensor._wrap(_placed(self._array, target), self._names)

    def _host(self) -> np.ndarray:
        """The data on the host: the array itself, or a fresh copy from the device."""
        a = self._array
        return a if isinstance(a, np.ndarray) else a.to_host()

    # -- host data --------------------------------------------------------------

    def to_numpy(self) -> np.ndarray:
        """A writable copy of the data (bf16 as ml_dtypes.bfloat16)."""
        a = self._array
        return a.copy() if isinstance(a, np.ndarray) else a.to_host()

    def tolist(self):
        """Nested lists of Python numbers (bf16 and f16 become floats)."""
        return self._host().tolist()

    def item(self):
        """The Python number of a single-element tensor."""
        if self._array.size != 1:
            raise ShapeError(
                f"item() needs a tensor with one element, got {self.type} "
                f"({self._array.size} elements)")
        return self._host().item()

    def __array__(self, dtype=None, copy=None):
        a = self._array
        if not isinstance(a, np.ndarray):
            if copy is False:
                raise ArgumentError(f"the tensor is on {a.device}; reading it on the host "
                                    f"needs a copy")
            a, copy = a.to_host(), None  # a fresh array: no second copy
        if dtype is not None and np.dtype(dtype) != a.dtype:
            if copy is False:
                # ArgumentError is a ValueError, which numpy's protocol asks for.
                raise ArgumentError(
                    f"converting a {self.dtype} tensor to {np.dtype(dtype)} needs a copy")
            return a.astype(dtype)
        return a.copy() if copy else a

    def __dlpack__(self, **kwargs):
        if not isinstance(self._array, np.ndarray):
            return self._array.__dlpack__(**kwargs)
        if self.dtype == dtypes.bf16:
            raise DTypeError(
                "bf16 tensors cannot be exported through DLPack (numpy has no bf16); "
                "use np.asarray(t) or convert with nx.as_type(t, nx.f32)")
        try:
            return self._array.__dlpack__(**kwargs)
        except (BufferError, TypeError, ValueError, RuntimeError) as e:
            raise ArgumentError(f"cannot export {self.type} through DLPack: {e}") from None

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()

    # -- Python protocols -------------------------------------------------------

    def __repr__(self):
        return _format.format_tensor(self._host(), self.type)

    def __bool__(self):
        if self._array.size != 1:
            raise ShapeError(
                f"the truth value of a tensor with {self._array.size} elements ({self.type}) "
                "is ambiguous; reduce it first with nx.all or nx.any")
        return bool(self._host().item())

    def __int__(self):
        return int(self.item())

    def __float__(self):
        return float(self.item())

    def __complex__(self):
        return complex(self.item())

    def __len__(self):
        if self.rank == 0:
            raise ShapeError("len() of a scalar tensor; it has no axes")
        return self.shape[0]

    def __iter__(self):
        """The sub-tensors along the first axis."""
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, key):
        return indexing.getitem(self, key)

    def __setitem__(self, key, value):
        raise ArgumentError("tensors are immutable; use nx.put_slice to make an updated copy")

    # -- operators, with Nx semantics (see nxc/operators.py) -------------------

    __add__, __radd__ = operators.methods("+")
    __sub__, __rsub__ = operators.methods("-")
    __mul__, __rmul__ = operators.methods("*")
    __truediv__, __rtruediv__ = operators.methods("/")
    __floordiv__, __rfloordiv__ = operators.methods("//")
    __mod__, __rmod__ = operators.methods("%")
    __pow__, __rpow__ = operators.methods("**")
    __matmul__, __rmatmul__ = operators.methods("@")
    __and__, __rand__ = operators.methods("&")
    __or__, __ror__ = operators.methods("|")
    __xor__, __rxor__ = operators.methods("^")
    __lshift__, __rlshift__ = operators.methods("<<")
    __rshift__, __rrshift__ = operators.methods(">>")
    __lt__, _ = operators.methods("<")
    __le__, _ = operators.methods("<=")
    __gt__, _ = operators.methods(">")
    __ge__, _ = operators.methods(">=")
    __eq__, _ = operators.methods("==")
    __ne__, _ = operators.methods("!=")
    del _

    def __neg__(self):
        return operators.unary("-", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return operators.unary("abs", self)

    def __invert__(self):
        return operators.unary("~", self)


def tensor(data, dtype=None, names=None, device=None) -> Tensor:
    """A tensor from a Python number, nested lists, a numpy array or a tensor.

    Without `dtype`, the type is inferred as in Nx: bool -> u8, int -> s32 (large
    ints wrap), float -> f32, complex -> c64, list entries merged with Nx's
    promotion (`[1, 2, 3.0]` is f32); numpy arrays keep their type (bool -> u8).
    With `dtype`, the data is converted with Nx's conversion semantics.
    `names` gives one axis name (or None) per axis. `device` ("cpu", "cuda:0",
    "rocm:0") places the data; by default it stays where `data` is (the host
    for anything but a device tensor).
    """
    return Tensor(data, dtype, names, device)


def from_dlpack(data, names=None) -> Tensor:
    """A tensor over another library's array through DLPack (`__dlpack__`).

    A GPU array (torch, cupy, jax) is shared, not copied: the tensor and the
    array read and write the same device memory. A host array is copied, as
    host tensors own their data. bool arrays become u8 (the same bytes).
    """
    array = gpu.from_dlpack(data)
    if array is None:
        return Tensor(np.from_dlpack(data), names=names)
    if array.dtype == np.bool_:
        array = gpu.DeviceArray(array.device, array.ptr, array.shape, np.uint8, array.owner)
    dtypes.from_numpy(array.dtype)  # rejects types Nx lacks
    return Tensor._wrap(array, _check_names(array.shape, names))


def to_array(x) -> np.ndarray:
    """The numpy data of an operand: a Tensor, a numpy array or a numpy scalar.

    Other numpy arrays are given read-only, so that an op which passes its input
    through never lets a tensor share writable memory with its caller.
    """
    if isinstance(x, Tensor):
        if not isinstance(x._array, np.ndarray):
            raise ArgumentError(
                f"the tensor {x.type} is on {x.device} and eager operations run on the host: "
                f"copy it back with t.to('cpu'), or pass it to a function compiled for the GPU")
        return x._array
    if isinstance(x, (np.ndarray, np.generic)):
        a = _native(np.asarray(x))
        dtypes.from_numpy(a.dtype)  # rejects types Nx lacks
        if a.dtype == np.bool_:
            return a.astype(np.uint8)
        view = a.view()
        view.flags.writeable = False
        return view
    raise ArgumentError(
        f"expected a tensor, a numpy array or a number, got {type(x).__name__}"
        + ("; build a tensor first with nx.tensor(...)" if isinstance(x, (list, tuple)) else ""))


# ---------------------------------------------------------------------------
# Building from host data
# ---------------------------------------------------------------------------

def _from_data(data, dtype):
    """(array, names) for `data`, of type `dtype` or of the inferred type."""
    target = dtypes.parse(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        return (convert(data._host(), target) if target else data._array), data.names
    if isinstance(data, (np.ndarray, np.generic)):
        # A copy: the caller keeps its array, the tensor owns its own.
        a = _native(np.array(data, order="C", copy=True))
        return convert(a, target or dtypes.from_numpy(a.dtype)), None
    leaves = []
    shape = _scan(data, (), leaves)
    if target is None:
        if not leaves:
            raise ArgumentError(
                "cannot infer the type of an empty list; give one, "
                "e.g. nx.tensor([], dtype=nx.f32)")
        target = dtypes.promote_all(_leaf_type(x) for x in leaves)
    if all(is_number(x) for x in leaves):
        return _numbers(leaves, target).reshape(shape), None
    # Arrays and tensors among the entries: all have the same shape (checked by _scan).
    parts = [_numbers([x], target)[0] if is_number(x) else convert(to_array(x), target)
             for x in leaves]
    return np.stack(parts).reshape(shape), None


def _scan(x, path, leaves) -> tuple:
    """The shape of nested lists `x`; appends its entries to `leaves` in order."""
    if isinstance(x, (list, tuple)):
        shapes = []
        for i, e in enumerate(x):
            s = _scan(e, path + (i,), leaves)
            if shapes and s != shapes[0]:
                raise ShapeError(
                    f"nx.tensor got a ragged nested list: at nesting level {len(path) + 1}, "
                    f"data{_path(path + (i,))} is {_describe(s)} but "
                    f"data{_path(path + (0,))} is {_describe(shapes[0])}")
            shapes.append(s)
        return (len(x),) + (shapes[0] if shapes else ())
    if isinstance(x, (Tensor, np.ndarray, np.generic)):
        leaves.append(x)
        return tuple(np.shape(x))
    if is_number(x):
        leaves.append(x)
        return ()
    raise DTypeError(
        f"nx.tensor expects numbers, nested lists of numbers, numpy arrays or tensors; "
        f"got {x!r} ({type(x).__name__}) at data{_path(path)}")


def _path(path):
    return "".join(f"[{i}]" for i in path)


def _describe(shape):
    if shape == ():
        return "a number"
    if len(shape) == 1:
        return f"a list of {shape[0]}"
    return f"a nested list of shape {shape}"


def _leaf_type(x) -> dtypes.DType:
    if is_number(x):
        return dtypes.scalar_type(x)
    if isinstance(x, Tensor):
        return x.dtype
    return dtypes.from_numpy(np.asarray(x).dtype)


def _numbers(values, target: dtypes.DType) -> np.ndarray:
    """A 1-d array of Python numbers converted to `target` with Nx's semantics."""
    if target.is_int and not any(isinstance(v, (float, complex)) for v in values):
        # Ints wrap: reduce modulo 2**64, then numpy's int -> int cast wraps to the width.
        return np.array([int(v) % (1 << 64) for v in values], dtype=np.uint64).astype(target.numpy)
    wide = np.complex128 if any(isinstance(v, complex) for v in values) else np.float64
    try:
        a = np.array(values, dtype=wide)
    except OverflowError:
        raise ArgumentError(f"a number in the data is too large for {target}") from None
    return convert(a, target)


# ---------------------------------------------------------------------------
# Arrays and names
# ---------------------------------------------------------------------------

def _native(a: np.ndarray) -> np.ndarray:
    return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))


def _placed(array, device):
    """`array` (a host array or a DeviceArray) on `device`; None keeps it where it is.
    A host array comes back owned (see `_owned`); a DeviceArray already there is shared,
    which immutability makes safe."""
    target = None if device is None else gpu.parse(device)
    if isinstance(array, np.ndarray):
        if target is None or target.kind == "cpu":
            return _owned(array)
        return gpu.from_host(array, target)
    if target is None or target == array.device:
        return array
    host = _owned(array.to_host())
    return host if target.kind == "cpu" else gpu.from_host(host, target)


def _owned(a: np.ndarray) -> np.ndarray:
    """`a` itself when it is a fresh C-contiguous array, else a copy; made read-only."""
    f = a.flags  # one flags object, and setflags: this runs on every compiled call
    if not (f.owndata and f.c_contiguous and f.writeable):
        a = np.array(a, order="C", copy=True)
    a.setflags(write=False)
    return a


def _check_names(shape, names) -> tuple:
    if names is None:
        return (None,) * len(shape)
    if isinstance(names, str):
        raise ArgumentError(f"names must be a list with one name per axis, got {names!r}")
    # TensorType checks the count and the entries.
    return TensorType(dtypes.u8, shape, tuple(names)).names
