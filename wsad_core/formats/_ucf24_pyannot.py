"""The corrected UCF101-24 annotations (``pyannot.pkl``, Singh et al. 2017).

``{video: {"label", "numf", "annotations": [{"label", "sf", "ef", "boxes"}]}}``
with ``sf`` the 0-based first frame, ``ef`` the exclusive end frame and ``boxes``
a (ef - sf, 4) array of ``[x, y, w, h]`` on the 320x240 frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike
from wsad_core.formats._ucf24_checks import as_int, check_tube, numeric_matrix, require_keys, where
from wsad_core.formats.ucf24_types import UcfAnnotations, UcfTube, UcfVideo

WIDTH, HEIGHT = 320, 240
VIDEO_KEYS = ("label", "numf", "annotations")
TUBE_KEYS = ("label", "sf", "ef", "boxes")


def looks_like_pyannot(data: Any) -> bool:
    """True for a dict whose values are per-video dicts with ``annotations``."""
    return (
        isinstance(data, Mapping)
        and bool(data)
        and any(isinstance(entry, Mapping) and "annotations" in entry for entry in data.values())
    )


def _tube(raw: Any, video: str, index: int, label: int, numf: int, path: PathLike) -> UcfTube:
    context = where(video, index)
    require_keys(raw, TUBE_KEYS, path, context, "the tube", field="annotations")
    tube_label = as_int(raw["label"], path, context, "label")
    if tube_label != label:
        message = f"{context}class {tube_label} differs from the video's class {label}"
        raise FormatError(path, message, field="label")
    # Python ints from here on: sf/ef are often uint8/uint16 and would wrap.
    start = as_int(raw["sf"], path, context, "sf")
    end = as_int(raw["ef"], path, context, "ef")
    if start < 0:
        raise FormatError(path, f"{context}sf must not be negative, got {start}", field="sf")
    if not start < end <= numf:
        message = f"{context}need sf < ef <= numf, got sf={start}, ef={end}, numf={numf}"
        raise FormatError(path, message, field="ef")
    xywh = numeric_matrix(raw["boxes"], 4, path, context, "boxes")
    if len(xywh) != end - start:
        message = f"{context}{len(xywh)} boxes for ef - sf = {end - start} frames"
        raise FormatError(path, message, field="boxes")
    if (xywh[:, 2:] < 0).any():
        raise FormatError(path, f"{context}a box has a negative width or height", field="boxes")
    boxes = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
    frames = np.arange(start, end, dtype=np.int64)
    check_tube(frames, boxes, numf, path, context)
    return UcfTube(label=label, frames=frames, boxes=boxes)


def parse_pyannot(data: Mapping[Any, Any], path: PathLike, labels: list[str]) -> UcfAnnotations:
    """Build annotations from a loaded ``pyannot.pkl``; boxes become x1=x, y1=y, x2=x+w, y2=y+h."""
    videos: dict[str, UcfVideo] = {}
    for name, entry in data.items():
        if not isinstance(name, str) or not name:
            raise FormatError(path, f"video names must be non-empty strings, got {name!r}")
        context = where(name)
        require_keys(entry, VIDEO_KEYS, path, context, "the video entry")
        label = as_int(entry["label"], path, context, "label")
        if not 0 <= label < len(labels):
            raise FormatError(path, f"{context}class index {label} outside [0, {len(labels)})", field="label")
        numf = as_int(entry["numf"], path, context, "numf")
        if numf <= 0:
            raise FormatError(path, f"{context}numf must be positive, got {numf}", field="numf")
        raw_tubes = entry["annotations"]
        if not isinstance(raw_tubes, (list, tuple)):
            raise FormatError(path, f"{context}annotations must be a list", field="annotations")
        tubes = [_tube(raw, name, index, label, numf, path) for index, raw in enumerate(raw_tubes)]
        videos[name] = UcfVideo(name, label, numf, WIDTH, HEIGHT, None, tubes)
    return UcfAnnotations(labels=list(labels), videos=videos, source_format="pyannot")
