"""Fixtures for the format tests: writing input files, checking errors, Python 2 pickles."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wsad_core.errors import FormatError


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` (or ``data`` bytes) to ``tmp_path / name`` and return the path."""

    def write(name: str, text: str | None = None, *, data: bytes | None = None) -> Path:
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        else:
            path.write_bytes((text or "").encode("utf-8"))
        return path

    return write


@pytest.fixture
def check_error() -> Callable[..., None]:
    """Assert a FormatError names the file, the 1-based row and the field, in attributes and message."""

    def check(error: FormatError, path: Path | str, row: int | None = None, field: str | None = None) -> None:
        message = str(error)
        assert str(path) in message
        assert error.path == str(path)
        if row is not None:
            assert error.row == row, message
            assert f"row {row}" in message
        if field is not None:
            assert error.field == field, message
            assert f"'{field}'" in message

    return check


def _py2_global(obj: Any) -> bytes:
    if obj is np.ndarray:
        return b"cnumpy\nndarray\n"
    if obj is np.dtype:
        return b"cnumpy\ndtype\n"
    # numpy 1.x (and every Python 2 pickle) names numpy.core, not numpy._core.
    module = obj.__module__.replace("numpy._core", "numpy.core")
    return b"c" + module.encode() + b"\n" + obj.__name__.encode() + b"\n"


def _py2_encode(obj: Any, out: bytearray) -> None:
    if obj is None:
        out += b"N"
    elif obj is np.ndarray:
        out += _py2_global(obj)
    elif isinstance(obj, (np.ndarray, np.generic, np.dtype)):
        function, args, *rest = obj.__reduce__()
        out += _py2_global(function)
        _py2_encode(args, out)
        out += b"R"
        if rest and rest[0] is not None:
            _py2_encode(rest[0], out)
            out += b"b"
    elif isinstance(obj, bool):
        out += b"\x88" if obj else b"\x89"
    elif isinstance(obj, int):
        out += b"K" + bytes([obj]) if 0 <= obj < 256 else b"J" + struct.pack("<i", obj)
    elif isinstance(obj, float):
        out += b"G" + struct.pack(">d", obj)
    elif isinstance(obj, (str, bytes)):
        # Python 2's str: a byte string, which Python 3 decodes with the loader's encoding.
        data = obj.encode("ascii") if isinstance(obj, str) else obj
        out += (b"U" + bytes([len(data)]) if len(data) < 256 else b"T" + struct.pack("<i", len(data))) + data
    elif isinstance(obj, tuple):
        out += b"("
        for item in obj:
            _py2_encode(item, out)
        out += b"t"
    elif isinstance(obj, list):
        out += b"]("
        for item in obj:
            _py2_encode(item, out)
        out += b"e"
    elif isinstance(obj, dict):
        out += b"}("
        for key, value in obj.items():
            _py2_encode(key, out)
            _py2_encode(value, out)
        out += b"u"
    else:
        raise TypeError(f"cannot encode {type(obj).__name__}")


@pytest.fixture
def py2_dumps() -> Callable[[Any], bytes]:
    """Encode dicts, lists, tuples, numbers, strings and numpy objects the way Python 2 pickled them."""

    def dumps(obj: Any) -> bytes:
        out = bytearray(b"\x80\x02")
        _py2_encode(obj, out)
        return bytes(out + b".")

    return dumps

