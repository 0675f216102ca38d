"""An artifact's manifest: what the native library exports, for which machine.

`manifest.json` holds the format version, the nxc version, the target (triple,
CPU name and features), the library's file name and SHA-256, and one entry per
exported function (its C symbol, parameters and results with dtype, shape -
ints and symbolic dimension names - and axis names, the symbolic dimensions in
the order of the size arguments, size constraints, docstring). The library
embeds `abi_hash(functions)`, so a manifest edited after the build is caught.
Reading validates every field: a damaged manifest is an ArtifactError that names
the file, never a crash later.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from .dtypes import NUMPY
from .errors import ArtifactError

FORMAT = "nxc-artifact"
FORMAT_VERSION = 1
FILE = "manifest.json"


def abi_hash(functions: list) -> str:
    """The SHA-256 of the canonical JSON of the functions' signatures."""
    text = json.dumps(functions, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TensorSpec:
    dtype: str
    shape: tuple  # ints and symbolic dimension names
    names: tuple  # axis names or None

    def __str__(self):
        """Nx's notation: `f32[rows: ?n][3]`."""
        dims = "".join(f"[{n}: {_dim(d)}]" if n is not None else f"[{_dim(d)}]"
                       for d, n in zip(self.shape, self.names))
        return f"{self.dtype}{dims}"


def _dim(d):
    return f"?{d}" if isinstance(d, str) else str(d)


@dataclass(frozen=True)
class Signature:
    name: str
    symbol: str
    params: tuple  # (name, TensorSpec)
    results: tuple  # TensorSpec
    dims: tuple  # symbolic dimension names, in the order of the size arguments
    constraints: tuple  # (dim, minimum, reason)
    doc: str

    def __str__(self):
        params = ", ".join(f"{n}: {t}" for n, t in self.params)
        results = ", ".join(str(t) for t in self.results)
        if len(self.results) != 1:
            results = f"({results})"
        return f"{self.name}({params}) -> {results}"


@dataclass(frozen=True)
class Manifest:
    path: str
    nxc_version: str
    module: str
    library: str
    library_sha256: str
    triple: str
    cpu: str
    features: tuple
    functions: tuple  # Signature
    raw_functions: list  # the JSON entries, for abi_hash
    kind: str = "cpu"  # where the functions run: "cpu", "cuda" or "rocm"
    archs: tuple = ()  # GPU architectures of the kernels ("sm_90", "gfx942")

    @property
    def directory(self):
        return os.path.dirname(self.path)


def read(path: str) -> Manifest:
    """Read and validate the manifest at `path`."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ArtifactError(f"{path}: the artifact has no manifest (not an nxc artifact, "
                            f"or an incomplete copy)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ArtifactError(f"{path}: the manifest cannot be read ({e}); the artifact is "
                            f"damaged, rebuild it") from None
    return _parse(path, data)


class _Bad(Exception):
    pass


def _get(obj, key, kind, where):
    if not isinstance(obj, dict) or key not in obj:
        raise _Bad(f"{where} lacks {key!r}")
    v = obj[key]
    if kind is int and isinstance(v, bool) or not isinstance(v, kind):
        raise _Bad(f"{where}.{key} is {v!r}, expected {getattr(kind, '__name__', kind)}")
    return v


def _parse(path, data) -> Manifest:
    try:
        if _get(data, "format", str, "manifest") != FORMAT:
            raise _Bad(f"format is {data['format']!r}, expected {FORMAT!r}")
        version = _get(data, "format_version", int, "manifest")
        if version != FORMAT_VERSION:
            raise ArtifactError(
                f"{path}: artifact format version {version} is not supported by this "
                f"runtime (it reads version {FORMAT_VERSION}); rebuild the artifact with "
                f"this nxc or load it with the nxc that built it")
        target = _get(data, "target", dict, "manifest")
        features = _get(target, "features", list, "target")
        if not all(isinstance(f, str) for f in features):
            raise _Bad("target.features must be strings")
        raw = _get(data, "functions", list, "manifest")
        functions = tuple(_signature(f, i) for i, f in enumerate(raw))
        names = [f.name for f in functions]
        if len(set(names)) != len(names):
            raise _Bad("two functions have the same name")
        library = _get(data, "library", str, "manifest")
        if os.path.basename(library) != library or not library:
            raise _Bad(f"library {library!r} must be a file name in the artifact directory")
        kind, archs = _gpu_target(target)
        return Manifest(path, _get(data, "nxc_version", str, "manifest"),
                        _get(data, "module", str, "manifest"), library,
                        _get(data, "library_sha256", str, "manifest"),
                        _get(target, "triple", str, "target"), _get(target, "cpu", str, "target"),
                        tuple(features), functions, raw, kind, archs)
    except _Bad as e:
        raise ArtifactError(f"{path}: the manifest is invalid ({e}); the artifact is "
                            f"damaged or was edited, rebuild it") from None


def _gpu_target(target) -> tuple:
    """(kind, archs): a GPU artifact names the architectures its kernels were built for."""
    kind = target.get("kind", "cpu")
    if kind not in ("cpu", "cuda", "rocm"):
        raise _Bad(f"target.kind is {kind!r}, expected 'cpu', 'cuda' or 'rocm'")
    if kind == "cpu":
        return kind, ()
    archs = _get(target, "archs", list, "target")
    if not archs or not all(isinstance(a, str) and a for a in archs):
        raise _Bad("target.archs must list the GPU architectures (e.g. 'sm_90')")
    return kind, tuple(archs)


def _tensor(obj, where) -> TensorSpec:
    dtype = _get(obj, "dtype", str, where)
    if dtype not in NUMPY:
        raise _Bad(f"{where}.dtype {dtype!r} is not an Nx type")
    shape = _get(obj, "shape", list, where)
    for d in shape:
        if isinstance(d, bool) or not (isinstance(d, str) or (isinstance(d, int) and d >= 0)):
            raise _Bad(f"{where}.shape entry {d!r} is not a size or a dimension name")
    names = _get(obj, "names", list, where)
    if len(names) != len(shape) or not all(n is None or isinstance(n, str) for n in names):
        raise _Bad(f"{where}.names must hold one name or null per axis")
    return TensorSpec(dtype, tuple(shape), tuple(names))


def _signature(obj, i) -> Signature:
    where = f"functions[{i}]"
    params = []
    for j, p in enumerate(_get(obj, "params", list, where)):
        params.append((_get(p, "name", str, f"{where}.params[{j}]"),
                       _tensor(p, f"{where}.params[{j}]")))
    results = tuple(_tensor(r, f"{where}.results[{j}]")
                    for j, r in enumerate(_get(obj, "results", list, where)))
    dims = _get(obj, "dims", list, where)
    bound = {d for _, t in params for d in t.shape if isinstance(d, str)}
    if not all(isinstance(d, str) for d in dims) or set(dims) != bound or len(dims) != len(bound):
        raise _Bad(f"{where}.dims must list each symbolic dimension of the parameters once")
    for r in results:
        if any(isinstance(d, str) and d not in bound for d in r.shape):
            raise _Bad(f"{where} has a result dimension no parameter binds")
    constraints = []
    for j, c in enumerate(_get(obj, "constraints", list, where)):
        w = f"{where}.constraints[{j}]"
        dim = _get(c, "dim", str, w)
        if dim not in bound:
            raise _Bad(f"{w}.dim {dim!r} is not a symbolic dimension of the parameters")
        constraints.append((dim, _get(c, "min", int, w), _get(c, "reason", str, w)))
    name, symbol = _get(obj, "name", str, where), _get(obj, "symbol", str, where)
    if not name.isidentifier() or not symbol.isidentifier():
        raise _Bad(f"{where} name {name!r} or symbol {symbol!r} is not an identifier")
    return Signature(name, symbol, tuple(params), results, tuple(dims), tuple(constraints),
                     _get(obj, "doc", str, where))
