"""Device names, missing drivers and architecture rules: the paths that need no GPU."""
import inspect
import json

import numpy as np
import pytest

import nxc as nx
from nxc.runtime import load, manifest
from nxc.runtime.errors import (ArgumentError, ArtifactError, DeviceError, DriverNotFoundError,
                                NxcError, OutOfMemoryError, TargetError)
from nxc.runtime.gpu import cuda, devices, hip
from nxc.runtime.gpu.function import runs_on
from nxc.runtime.host import host_arch


@pytest.mark.parametrize("text, kind, index", [
    ("cpu", "cpu", 0), ("cuda", "cuda", 0), ("cuda:0", "cuda", 0), ("cuda:3", "cuda", 3),
    (" CUDA:1 ", "cuda", 1), ("rocm:2", "rocm", 2), ("hip:1", "rocm", 1), ("rocm", "rocm", 0),
])
def test_device_names(text, kind, index):
    d = devices.parse(text)
    assert (d.kind, d.index) == (kind, index)
    assert str(d) == ("cpu" if kind == "cpu" else f"{kind}:{index}")


@pytest.mark.parametrize("bad", ["tpu", "cuda:", "cuda:-1", "cuda:x", "cpu:1", "gpu:0", "", 0,
                                 None])
def test_bad_device_names(bad):
    with pytest.raises(ArgumentError, match="device must be 'cpu', 'cuda', 'cuda:N' or 'rocm:N'"):
        devices.parse(bad)


def test_error_classes():
    assert issubclass(DriverNotFoundError, DeviceError) and issubclass(DeviceError, NxcError)
    assert issubclass(OutOfMemoryError, DeviceError) and issubclass(OutOfMemoryError, MemoryError)


def test_missing_cuda_driver():
    with pytest.raises(DriverNotFoundError) as e:
        cuda.CudaDriver("libnxc-no-such-driver.so.1")
    assert str(e.value).startswith("libnxc-no-such-driver.so.1 was not found")
    assert "install the NVIDIA driver or use target cpu" in str(e.value)


def test_missing_hip_runtime():
    with pytest.raises(DriverNotFoundError, match=r"libnxc-no-such-hip\.so was not found .*"
                                                  r"install ROCm \(the HIP runtime\) or use "
                                                  r"target cpu"):
        hip.HipDriver("libnxc-no-such-hip.so")


def test_drivers_share_one_interface():
    """HipDriver offers every operation CudaDriver does, with the same parameters."""
    public = [n for n in vars(cuda.CudaDriver) if not n.startswith("_")]
    assert {"alloc", "free", "copy_to_device", "copy_to_host", "load_module", "launch",
            "arch", "activate", "synchronize", "address"} <= set(public)
    for name in public:
        a, b = getattr(cuda.CudaDriver, name), getattr(hip.HipDriver, name)
        if callable(a):
            assert list(inspect.signature(a).parameters) == \
                list(inspect.signature(b).parameters), name
    assert (cuda.CudaDriver.dlpack_device_type, hip.HipDriver.dlpack_device_type) == (2, 10)


def test_tensor_to_gpu_without_driver(no_cuda_driver):
    t = nx.tensor([1.0, 2.0])
    with pytest.raises(DriverNotFoundError, match="libnxc-no-such-driver.so.1 was not found"):
        t.to("cuda:0")
    with pytest.raises(DriverNotFoundError):
        nx.tensor([1, 2], device="cuda")
    # The failure is not cached as a half-made driver: it is raised again.
    with pytest.raises(DriverNotFoundError):
        t.to("cuda")
    assert devices._drivers == {}


def test_cpu_tensors_keep_their_behaviour():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = nx.tensor(a, device="cpu")
    assert t.device == "cpu"
    assert t.to("cpu") is t
    np.testing.assert_array_equal(np.asarray(t.to("cpu")), a)
    with pytest.raises(ArgumentError, match="device must be"):
        nx.tensor(a, device="tpu:0")


def test_from_dlpack_of_host_array_copies():
    a = np.array([[1, 2], [3, 4]], dtype=np.int16)
    t = nx.from_dlpack(a, names=["rows", None])
    a[0, 0] = 100
    assert t.device == "cpu" and t.names == ("rows", None) and t.dtype == nx.s16
    np.testing.assert_array_equal(np.asarray(t), [[1, 2], [3, 4]])
    with pytest.raises(ArgumentError, match="does not support DLPack"):
        nx.from_dlpack([1, 2])


@pytest.mark.parametrize("kind, archs, device, ok", [
    ("cuda", ["sm_90"], "sm_90", True),
    ("cuda", ["sm_90"], "sm_80", False),
    ("cuda", ["sm_80"], "sm_90", True),      # PTX is compiled for newer devices
    ("cuda", ["sm_80", "sm_90"], "sm_86", True),
    ("cuda", ["sm_86"], "sm_80", False),
    ("cuda", ["sm_90a"], "sm_90", True),
    ("cuda", ["sm_90a"], "sm_100", False),   # arch-specific features: that device only
    ("cuda", ["sm_100f"], "sm_103", True),
    ("cuda", ["sm_100f"], "sm_120", False),
    ("cuda", ["sm_100"], "sm_120", True),
    ("rocm", ["gfx942"], "gfx942:sramecc+:xnack-", True),
    ("rocm", ["gfx90a"], "gfx942", False),
])
def test_arch_rules(kind, archs, device, ok):
    assert runs_on(kind, archs, device) is ok


def _gpu_manifest(tmp_path, target):
    m = {"format": "nxc-artifact", "format_version": 1, "nxc_version": "0.1.0",
         "module": "m", "package": "m_nxc", "library": "libm_nxc.so",
         "library_sha256": "0" * 64, "target": target,
         "functions": [{"name": "f", "symbol": "m_f", "doc": "",
                        "params": [{"name": "x", "dtype": "f32", "shape": [3], "names": [None]}],
                        "results": [{"dtype": "f32", "shape": [3], "names": [None]}],
                        "dims": [], "constraints": []}]}
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    (tmp_path / "libm_nxc.so").write_bytes(b"not a library")
    return tmp_path


# The host side of a GPU artifact is checked like a CPU artifact's: name this machine.
_HOST = {"triple": f"{host_arch()}-unknown-linux-gnu", "cpu": "generic", "features": []}


def test_manifest_reads_gpu_target(tmp_path):
    path = _gpu_manifest(tmp_path, {"kind": "cuda", "archs": ["sm_80", "sm_90"], **_HOST})
    m = manifest.read(str(path / "manifest.json"))
    assert (m.kind, m.archs) == ("cuda", ("sm_80", "sm_90"))


@pytest.mark.parametrize("target, message", [
    ({"kind": "cuda", **_HOST}, "lacks 'archs'"),
    ({"kind": "cuda", "archs": [], **_HOST}, "target.archs must list"),
    ({"kind": "tpu", "archs": ["v4"], **_HOST}, "target.kind is 'tpu'"),
])
def test_manifest_rejects_bad_gpu_target(tmp_path, target, message):
    path = _gpu_manifest(tmp_path, target)
    with pytest.raises(ArtifactError, match=message):
        manifest.read(str(path / "manifest.json"))


def test_gpu_artifact_checks_driver_before_the_library(tmp_path, no_cuda_driver):
    """The library is garbage: reaching it would be an ArtifactError."""
    path = _gpu_manifest(tmp_path, {"kind": "cuda", "archs": ["sm_90"], **_HOST})
    with pytest.raises(DriverNotFoundError, match="install the NVIDIA driver"):
        load(path)


def test_gpu_artifact_checks_arch_before_the_library(tmp_path, fake_cuda):
    path = _gpu_manifest(tmp_path, {"kind": "cuda", "archs": ["sm_100"], **_HOST})
    with pytest.raises(TargetError, match=r"built for sm_100, but cuda:0 is a Fake GPU \(sm_90\)"
                                          r"; rebuild it with --arch sm_90"):
        load(path)
    with pytest.raises(ArgumentError, match="device_id must be a GPU index"):
        load(path, device_id=-1)
