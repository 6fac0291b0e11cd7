"""The ACT pickle (``UCF101v2-GT.pkl``, Kalogeiton et al. 2017).

``gttubes[video][label]`` is a list of (T, 5) arrays whose rows are
``frame, x1, y1, x2, y2`` with 1-based frame numbers; ``resolution`` is ``(h, w)``;
``train_videos`` / ``test_videos`` hold one list of video names per split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike
from wsad_core.formats._ucf24_checks import as_int, check_tube, numeric_matrix, require_keys, where
from wsad_core.formats.ucf24_types import UcfAnnotations, UcfTube, UcfVideo

REQUIRED_KEYS = ("labels", "nframes", "resolution", "gttubes")


def _labels(data: Mapping[Any, Any], path: PathLike) -> list[str]:
    labels = data["labels"]
    names_ok = isinstance(labels, (list, tuple)) and all(isinstance(n, str) and n for n in labels)
    if not names_ok or not labels:
        raise FormatError(path, "labels must be a non-empty list of class names", field="labels")
    if len(set(labels)) != len(labels):
        raise FormatError(path, "labels contains a class name twice", field="labels")
    return list(labels)


def _split_of(
    data: Mapping[Any, Any], split: int, nframes: Mapping[Any, Any], path: PathLike
) -> dict[str, str]:
    """Map video name to ``"train"`` / ``"test"`` for split number ``split`` (0-based)."""
    assigned: dict[str, str] = {}
    for key, tag in (("train_videos", "train"), ("test_videos", "test")):
        if key not in data:
            continue
        splits = data[key]
        if not isinstance(splits, Sequence) or isinstance(splits, str):
            raise FormatError(path, f"{key} must be a list with one list of videos per split", field=key)
        if not 0 <= split < len(splits):
            message = f"{key} has {len(splits)} split(s); split {split} was requested"
            raise FormatError(path, message, field=key)
        videos = splits[split]
        if not isinstance(videos, Sequence) or isinstance(videos, str):
            raise FormatError(path, f"{key}[{split}] must be a list of video names", field=key)
        for video in videos:
            if not isinstance(video, str) or video not in nframes:
                message = f"{where(str(video))}listed in {key} but has no nframes entry"
                raise FormatError(path, message, field=key)
            if assigned.get(video, tag) != tag:
                message = f"{where(video)}listed in both train_videos and test_videos"
                raise FormatError(path, message, field=key)
            assigned[video] = tag
    return assigned


def _video_label(name: str, tubes_by_label: Mapping[Any, Any], labels: list[str], path: PathLike) -> int:
    keys = [as_int(key, path, where(name), "gttubes") for key in tubes_by_label]
    for key in keys:
        if not 0 <= key < len(labels):
            message = f"{where(name)}class index {key} outside [0, {len(labels)})"
            raise FormatError(path, message, field="gttubes")
    if len(set(keys)) > 1:
        message = f"{where(name)}has tubes of several classes {sorted(set(keys))}"
        raise FormatError(path, message, field="gttubes")
    if keys:
        return keys[0]
    # No tubes at all: UCF101 names videos "<Class>/v_<Class>_gXX_cYY".
    prefix = name.split("/", 1)[0]
    if prefix in labels:
        return labels.index(prefix)
    message = f"{where(name)}has no tubes and its name does not start with a class"
    raise FormatError(path, message, field="gttubes")


def _tube(value: Any, label: int, nframes: int, path: PathLike, context: str) -> UcfTube:
    array = numeric_matrix(value, 5, path, context, "boxes")
    frames = array[:, 0]
    if not np.all(frames == np.round(frames)):
        raise FormatError(path, f"{context}frame numbers must be integers", field="frames")
    zero_based = frames.astype(np.int64) - 1
    boxes = np.ascontiguousarray(array[:, 1:])
    check_tube(zero_based, boxes, nframes, path, context)
    return UcfTube(label=label, frames=zero_based, boxes=boxes)


def _resolution(value: Any, name: str, path: PathLike) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        message = f"{where(name)}resolution must be (height, width), got {value!r}"
        raise FormatError(path, message, field="resolution")
    height, width = (as_int(v, path, where(name), "resolution") for v in value)
    if height <= 0 or width <= 0:
        message = f"{where(name)}resolution must be positive, got {value!r}"
        raise FormatError(path, message, field="resolution")
    return height, width


def parse_act(data: Mapping[Any, Any], path: PathLike, split: int) -> UcfAnnotations:
    """Build annotations from a loaded ACT pickle, converting frames to 0-based."""
    require_keys(data, REQUIRED_KEYS, path, "", "the ACT pickle")
    labels = _labels(data, path)
    nframes_map = require_keys(data["nframes"], (), path, "", "nframes", field="nframes")
    resolution_map = require_keys(data["resolution"], (), path, "", "resolution", field="resolution")
    gttubes = require_keys(data["gttubes"], (), path, "", "gttubes", field="gttubes")
    for name in gttubes:
        if name not in nframes_map:
            raise FormatError(path, f"{where(str(name))}has tubes but no nframes entry", field="nframes")
    splits = _split_of(data, split, nframes_map, path)
    videos: dict[str, UcfVideo] = {}
    for name, raw_nframes in nframes_map.items():
        if not isinstance(name, str) or not name:
            raise FormatError(path, f"video names must be non-empty strings, got {name!r}", field="nframes")
        nframes = as_int(raw_nframes, path, where(name), "nframes")
        if nframes <= 0:
            raise FormatError(path, f"{where(name)}nframes must be positive, got {nframes}", field="nframes")
        if name not in resolution_map:
            raise FormatError(path, f"{where(name)}has no resolution entry", field="resolution")
        height, width = _resolution(resolution_map[name], name, path)
        entry = gttubes.get(name, {})
        by_label = require_keys(entry, (), path, where(name), "gttubes entry", field="gttubes")
        label = _video_label(name, by_label, labels, path)
        tubes: list[UcfTube] = []
        for tube_list in by_label.values():
            if not isinstance(tube_list, (list, tuple)):
                message = f"{where(name)}tubes of a class must be a list of arrays"
                raise FormatError(path, message, field="gttubes")
            for value in tube_list:
                tubes.append(_tube(value, label, nframes, path, where(name, len(tubes))))
        videos[name] = UcfVideo(name, label, nframes, width, height, splits.get(name), tubes)
    return UcfAnnotations(labels=labels, videos=videos, source_format="act")


def to_act(annotations: UcfAnnotations) -> dict[str, Any]:
    """The ACT dictionary for ``annotations`` (frames back to 1-based).

    Every video gets a ``gttubes`` entry under its class, even with no tubes,
    so its class survives the round trip.
    """
    gttubes: dict[str, dict[int, list[np.ndarray]]] = {}
    for name, video in annotations.videos.items():
        if name != video.name:
            raise ValueError(f"video stored under {name!r} is named {video.name!r}")
        if not 0 <= video.label < len(annotations.labels):
            raise ValueError(f"{where(name)}class index {video.label} outside the labels")
        arrays = []
        for tube in video.tubes:
            if tube.label != video.label:
                raise ValueError(f"{where(name)}tube of class {tube.label} in a video of class {video.label}")
            frames = np.asarray(tube.frames, dtype=np.float64).reshape(-1, 1) + 1
            arrays.append(np.hstack([frames, np.asarray(tube.boxes, dtype=np.float64)]))
        gttubes[name] = {int(video.label): arrays}
    return {
        "labels": list(annotations.labels),
        "nframes": {name: int(v.nframes) for name, v in annotations.videos.items()},
        "resolution": {name: (int(v.height), int(v.width)) for name, v in annotations.videos.items()},
        "train_videos": [[name for name, v in annotations.videos.items() if v.split == "train"]],
        "test_videos": [[name for name, v in annotations.videos.items() if v.split == "test"]],
        "gttubes": gttubes,
    }
