"""Validation shared by the two UCF101-24 pickle readers.

Values in these pickles are often numpy scalars of small unsigned types, so
every number is converted to a Python int or a float64 array before any
arithmetic: ``uint8(200) + 100`` silently wraps to 44.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike


def where(video: str, tube: int | str | None = None) -> str:
    """Prefix for messages: ``video 'x', tube 3: ``."""
    return f"video {video!r}: " if tube is None else f"video {video!r}, tube {tube}: "


def as_int(value: Any, path: PathLike, context: str, field: str) -> int:
    """An integer stored as int, numpy integer or integral float, as a Python int."""
    if isinstance(value, (bool, np.bool_)):
        ok = False
    elif isinstance(value, (int, np.integer)):
        return int(value)
    elif isinstance(value, (float, np.floating)):
        ok = bool(np.isfinite(value)) and float(value).is_integer()
    elif isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return as_int(value.item(), path, context, field)
    else:
        ok = False
    if not ok:
        raise FormatError(path, f"{context}expected an integer, got {value!r}", field=field)
    return int(value)


def require_keys(
    mapping: Any,
    keys: tuple[str, ...],
    path: PathLike,
    context: str,
    what: str,
    field: str | None = None,
) -> Mapping[Any, Any]:
    """Check that ``mapping`` is a dict holding ``keys``; the first missing key is the error's field."""
    if not isinstance(mapping, Mapping):
        raise FormatError(path, f"{context}{what} must be a dict, got {type(mapping).__name__}", field=field)
    for key in keys:
        if key not in mapping:
            raise FormatError(path, f"{context}{what} has no {key!r} entry", field=key)
    return mapping


def numeric_matrix(value: Any, columns: int, path: PathLike, context: str, field: str) -> np.ndarray:
    """``value`` as a float64 (T, columns) array with T >= 1 and only finite numbers."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        array = np.asarray(None)
    if array.dtype.kind not in "iuf":
        raise FormatError(path, f"{context}{field} must be numeric, got dtype {array.dtype}", field=field)
    if array.ndim != 2 or array.shape[1] != columns or array.shape[0] == 0:
        message = f"{context}{field} must have shape (T, {columns}) with T >= 1, got {array.shape}"
        raise FormatError(path, message, field=field)
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise FormatError(path, f"{context}{field} contains NaN or infinity", field=field)
    return array


def check_tube(frames: np.ndarray, boxes: np.ndarray, nframes: int, path: PathLike, context: str) -> None:
    """0-based ``frames`` strictly increasing within [0, nframes); boxes with x1<=x2, y1<=y2."""
    if frames.min() < 0 or frames.max() >= nframes:
        message = f"{context}frames {frames.min()}..{frames.max()} outside the video's [0, {nframes})"
        raise FormatError(path, message, field="frames")
    if np.any(np.diff(frames) <= 0):
        raise FormatError(path, f"{context}frame indices are not strictly increasing", field="frames")
    bad = np.flatnonzero((boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1]))
    if bad.size:
        raise FormatError(
            path, f"{context}box at frame {frames[bad[0]]} has a negative width or height", field="boxes"
        )
