from __future__ import annotations

import builtins
import collections
import os
import pickle

import numpy as np
import pytest

from wsad_core.errors import FormatError
from wsad_core.formats import safe_load_pickle


class _RunsShell:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Evaluates:
    def __reduce__(self):
        return (builtins.eval, ("__import__('os').getcwd()",))


class _ReadsAttributes:
    def __reduce__(self):
        return (getattr, ([], "append"))


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_loads_containers_numpy_arrays_and_scalars(tmp_path, protocol) -> None:
    data = {
        "labels": ["a", "b"],
        "array": np.arange(12, dtype=np.uint16).reshape(3, 4),
        "scalar": np.uint8(200),
        "pair": (np.float32(1.5), None, True),
        "ordered": collections.OrderedDict([("x", {1, 2}), ("y", frozenset([3]))]),
        "raw": b"\x00\xff",
        "complex": 1 + 2j,
    }
    path = tmp_path / "data.pkl"
    path.write_bytes(pickle.dumps(data, protocol=protocol))
    loaded = safe_load_pickle(path)
    assert loaded.keys() == data.keys()
    assert np.array_equal(loaded["array"], data["array"]) and loaded["array"].dtype == np.uint16
    assert loaded["scalar"] == 200 and loaded["scalar"].dtype == np.uint8
    assert loaded["pair"] == data["pair"]
    assert loaded["ordered"] == data["ordered"]
    assert loaded["raw"] == b"\x00\xff"
    assert loaded["complex"] == 1 + 2j


def test_loads_python2_numpy1_pickles(write_file, py2_dumps) -> None:
    boxes = np.arange(20, dtype=np.float64).reshape(4, 5)
    data = {"boxes": boxes, "sf": np.uint8(7), "name": "v_Biking_g01_c01"}
    path = write_file("py2.pkl", data=py2_dumps(data))
    assert b"numpy.core.multiarray" in path.read_bytes()
    loaded = safe_load_pickle(path)
    assert np.array_equal(loaded["boxes"], data["boxes"])
    assert loaded["sf"] == 7 and loaded["sf"].dtype == np.uint8
    assert loaded["name"] == "v_Biking_g01_c01"


def test_refuses_os_system_without_running_it(tmp_path, check_error) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"labels": [_RunsShell(str(marker))]}, protocol=2))
    with pytest.raises(FormatError) as info:
        safe_load_pickle(path)
    check_error(info.value, path)
    assert "system" in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("payload", "forbidden"), [(_Evaluates(), "builtins.eval"), (_ReadsAttributes(), "builtins.getattr")]
)
def test_refuses_other_callables(tmp_path, check_error, payload, forbidden) -> None:
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps([payload]))
    with pytest.raises(FormatError) as info:
        safe_load_pickle(path)
    check_error(info.value, path)
    assert forbidden in str(info.value)


def test_refuses_numpy_functions_beyond_reconstruction(write_file) -> None:
    path = write_file("evil.pkl", data=b"\x80\x02cnumpy\nload\n(U\x08/etc/pwdtR.")
    with pytest.raises(FormatError, match="numpy.load"):
        safe_load_pickle(path)


@pytest.mark.parametrize("data", [b"", b"not a pickle", pickle.dumps({"a": 1})[:-3]])
def test_corrupt_files_are_format_errors(write_file, check_error, data) -> None:
    path = write_file("broken.pkl", data=data)
    with pytest.raises(FormatError) as info:
        safe_load_pickle(path)
    check_error(info.value, path)


def test_missing_file(tmp_path, check_error) -> None:
    with pytest.raises(FormatError) as info:
        safe_load_pickle(tmp_path / "none.pkl")
    check_error(info.value, tmp_path / "none.pkl")
