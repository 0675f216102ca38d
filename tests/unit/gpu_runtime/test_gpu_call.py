"""The runtime's call path for `target: cuda` artifacts, on a hand-written host
library and the host-memory stand-in for the driver (no GPU needed).

The library's functions compute on the 'device pointers' directly (they are
host addresses under the stand-in) and report through `__nxc_gpu_status` as a
compiled GPU artifact does; results are checked against numpy.
"""
import hashlib
import json
import shutil
import subprocess

import numpy as np
import pytest

import nxc as nx
from nxc.runtime import load, manifest
from nxc.runtime.errors import ArgumentError, ArtifactError, DeviceError, OutOfMemoryError
from nxc.runtime.gpu import DeviceArray, api_table
from nxc.runtime.gpu import function as gpu_function
from nxc.runtime.host import host_arch

SLOTS = api_table.SLOTS["cuda"]

C_SOURCE = r"""
#include <stdint.h>
void *__nxc_gpu_api[%(slots)d];
int32_t __nxc_gpu_status;
const char hm__nxc_abi[] = "%(abi)s";

/* out = 2 x + y; refuses a negative size like compiled code. */
int32_t hm_axpy(const float *x, const float *y, float *out, int64_t n) {
    if (n < 0) return 1;
    for (int64_t i = 0; i < n; i++) out[i] = 2.0f * x[i] + y[i];
    return 0;
}

/* A driver call failed with `code` (2 is out of memory), or 0: no result recorded. */
int32_t hm_fail(const int32_t *code, int32_t *out) {
    __nxc_gpu_status = *code;
    return 3;
}

/* The addresses in the driver table, in slot order. */
int32_t hm_slots(const uint8_t *unused, int64_t *out) {
    for (int i = 0; i < %(slots)d; i++) out[i] = (int64_t)(intptr_t)__nxc_gpu_api[i];
    return 0;
}
"""


def _spec(dtype, shape, names=None):
    return {"dtype": dtype, "shape": shape, "names": names or [None] * len(shape)}


FUNCTIONS = [
    {"name": "axpy", "symbol": "hm_axpy", "doc": "2 x + y",
     "params": [{"name": "x", **_spec("f32", ["n"])}, {"name": "y", **_spec("f32", ["n"])}],
     "results": [_spec("f32", ["n"], ["i"])], "dims": ["n"], "constraints": []},
    {"name": "fail", "symbol": "hm_fail", "doc": "",
     "params": [{"name": "code", **_spec("s32", [])}], "results": [_spec("s32", [])],
     "dims": [], "constraints": []},
    {"name": "slots", "symbol": "hm_slots", "doc": "",
     "params": [{"name": "unused", **_spec("u8", [])}], "results": [_spec("s64", [len(SLOTS)])],
     "dims": [], "constraints": []},
]


@pytest.fixture
def artifact(tmp_path, fake_cuda, monkeypatch):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler (cc) to build the hand-written host library")
    src = tmp_path / "hm.c"
    src.write_text(C_SOURCE % {"slots": len(SLOTS), "abi": manifest.abi_hash(FUNCTIONS)})
    lib = tmp_path / "libhm.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", str(src), "-o", str(lib)], check=True)
    m = {"format": "nxc-artifact", "format_version": 1, "nxc_version": "0.1.0", "module": "hm",
         "package": "hm_nxc", "library": "libhm.so",
         "library_sha256": hashlib.sha256(lib.read_bytes()).hexdigest(),
         "target": {"kind": "cuda", "archs": ["sm_80"], "triple": f"{host_arch()}-linux-gnu",
                    "cpu": "generic", "features": []},
         "functions": FUNCTIONS}
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    monkeypatch.setattr(gpu_function, "_bound", {})
    return load(tmp_path)


def test_table_is_filled_in_api_table_order(artifact, fake_cuda):
    filled = np.asarray(artifact.slots(np.uint8(0)))
    np.testing.assert_array_equal(filled, [fake_cuda.address(name) for name, _ in SLOTS])


def test_host_arguments_are_copied_in_and_results_stay_on_the_device(artifact, fake_cuda):
    x = np.arange(5, dtype=np.float32)
    y = np.linspace(0, 1, 10, dtype=np.float32)[::2]  # not contiguous
    out = artifact.axpy(x, y)
    assert out.device == "cuda:0" and isinstance(out._array, DeviceArray)
    assert out.names == ("i",) and out.shape == (5,)
    np.testing.assert_array_equal(np.asarray(out), 2 * x + y)
    assert fake_cuda.synced >= 1  # the call waits for its kernels
    assert "on cuda:0" in repr(artifact.axpy)


def test_device_inputs_are_passed_without_copies(artifact, fake_cuda):
    x = nx.tensor(np.ones(3, np.float32), device="cuda:0")
    y = nx.tensor(np.arange(3, dtype=np.float32), device="cuda:0")
    allocated = len(fake_cuda.buffers)
    z = artifact.axpy(x, y)  # only the result is allocated
    assert len(fake_cuda.buffers) == allocated + 1
    w = artifact.axpy(z, y=nx.from_dlpack(y))  # results and DLPack imports chain on the device
    np.testing.assert_array_equal(np.asarray(w), 2 * (2 + np.arange(3)) + np.arange(3))
    np.testing.assert_array_equal(np.asarray(artifact.axpy(x._array, y)), 2 + np.arange(3))


def test_device_arguments_are_checked(artifact, fake_cuda):
    x = nx.tensor(np.ones(3, np.float32), device="cuda:0")
    with pytest.raises(ArgumentError, match=r"axpy: argument y must be f32\[\?n\], got a device "
                                            r"array of f64 with shape \(3,\); nxc does not cast"):
        artifact.axpy(x, nx.tensor(np.ones(3), device="cuda:0"))
    with pytest.raises(ArgumentError, match=r"argument y axis 0 is dimension \?n, which "
                                            r"argument x set to 3, but it has size 4"):
        artifact.axpy(x, nx.tensor(np.ones(4, np.float32), device="cuda:0"))
    other = DeviceArray("cuda:1", x._array.ptr, (3,), np.float32, x._array)
    with pytest.raises(ArgumentError, match=r"argument y is on cuda:1, but the function runs on "
                                            r"cuda:0; move it with .to\('cuda:0'\)"):
        artifact.axpy(x, other)


def test_driver_failures_become_typed_errors(artifact):
    with pytest.raises(OutOfMemoryError, match=r"fail: cuda:0 ran out of memory inside the call "
                                               r"\(FAKE_ERROR_2; 100 of 200 bytes free\)"):
        artifact.fail(np.int32(2))
    with pytest.raises(DeviceError, match=r"fail: a driver call of the GPU code failed on cuda:0 "
                                          r"\(FAKE_ERROR_700\)"):
        artifact.fail(np.int32(700))
    with pytest.raises(DeviceError, match="without a driver result"):
        artifact.fail(np.int32(0))
    # The status is cleared before each call: a good call after a failure succeeds.
    np.testing.assert_array_equal(np.asarray(artifact.axpy(np.ones(2, np.float32),
                                                           np.ones(2, np.float32))), [3, 3])


def test_one_device_per_process(artifact, tmp_path):
    again = load(tmp_path)  # the same library, the same device: shared
    np.testing.assert_array_equal(np.asarray(again.axpy(np.ones(1, np.float32),
                                                        np.ones(1, np.float32))), [3])
    with pytest.raises(ArgumentError, match="is already loaded for cuda:0 in this process"):
        gpu_function.load(manifest.read(str(tmp_path / "manifest.json")), device_id=1)


def test_library_without_gpu_symbols_is_rejected(tmp_path, fake_cuda, monkeypatch):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler (cc) to build the hand-written host library")
    functions = FUNCTIONS[:1]
    src = tmp_path / "hm.c"
    src.write_text('#include <stdint.h>\nconst char hm__nxc_abi[] = "%s";\n'
                   'int32_t hm_axpy(const float *x, const float *y, float *o, int64_t n) '
                   '{ return 0; }\n' % manifest.abi_hash(functions))
    lib = tmp_path / "libhm.so"
    subprocess.run([cc, "-shared", "-fPIC", str(src), "-o", str(lib)], check=True)
    m = {"format": "nxc-artifact", "format_version": 1, "nxc_version": "0.1.0", "module": "hm",
         "package": "hm_nxc", "library": "libhm.so",
         "library_sha256": hashlib.sha256(lib.read_bytes()).hexdigest(),
         "target": {"kind": "cuda", "archs": ["sm_80"], "triple": f"{host_arch()}-linux-gnu",
                    "cpu": "generic", "features": []},
         "functions": functions}
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    monkeypatch.setattr(gpu_function, "_bound", {})
    with pytest.raises(ArtifactError, match="lacks __nxc_gpu_api; it is not a GPU artifact"):
        load(tmp_path)
