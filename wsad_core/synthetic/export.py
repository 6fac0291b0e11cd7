"""Ground truth of simulated videos in the formats the rest of the project reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from wsad_core.formats import AvaRow, LabelMapEntry, UcfTube, UcfVideo
from wsad_core.synthetic.actions import ACTION_IDS, ACTIONS
from wsad_core.synthetic.detector import Detection
from wsad_core.synthetic.scene import VideoScene


def class_names(classes: Iterable[str]) -> list[str]:
    """``classes`` in vocabulary order, which is also the order of their ids."""
    chosen = set(classes)
    return [name for name in ACTIONS if name in chosen]


def label_map_entries(classes: Iterable[str]) -> list[LabelMapEntry]:
    """Label map of ``classes`` with their stable vocabulary ids (1-based, gaps allowed)."""
    return [LabelMapEntry(ACTION_IDS[name], name) for name in class_names(classes)]


def _normalised(scene: VideoScene, box: np.ndarray) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return (x1 / scene.width, y1 / scene.height, x2 / scene.width, y2 / scene.height)


def _timestamp(scene: VideoScene, frame: int) -> float:
    return frame / scene.fps


def keyframes(scene: VideoScene, every_frame: bool = False, hz: int = 1) -> list[int]:
    """Frames annotated in AVA files: ``hz`` per second (at ``t * fps`` for whole seconds ``t``
    and evenly between), or every frame."""
    if every_frame:
        return list(range(scene.nframes))
    return list(range(0, scene.nframes, scene.fps // hz))


def ava_rows(scene: VideoScene, every_frame: bool = False, hz: int = 1) -> list[AvaRow]:
    """AVA ground truth: one row per (acting person, action) at each keyframe, with the
    person's id; a keyframe where nobody visible acts gets a two-column row."""
    labels = scene.labels()
    rows: list[AvaRow] = []
    for frame in keyframes(scene, every_frame, hz):
        timestamp = _timestamp(scene, frame)
        before = len(rows)
        for person in range(len(scene.figures)):
            box = _normalised(scene, scene.boxes[frame, person]) if labels[frame, person].any() else None
            for index in np.flatnonzero(labels[frame, person]):
                rows.append(AvaRow(scene.video_id, timestamp, box, int(index) + 1, person_id=person))
        if len(rows) == before:
            rows.append(AvaRow(scene.video_id, timestamp, None, None))
    return rows


def person_box_rows(scene: VideoScene) -> list[AvaRow]:
    """Every visible person (actors and bystanders) in every frame, as a person-box file
    with score 1.0, for measuring detector and tubelet recall over all people."""
    rows = []
    visible = scene.visible
    for frame in range(scene.nframes):
        for person in np.flatnonzero(visible[frame]):
            box = _normalised(scene, scene.boxes[frame, person])
            rows.append(AvaRow(scene.video_id, _timestamp(scene, frame), box, None, score=1.0))
    return rows


def detection_rows(scene: VideoScene, detections: Iterable[Detection]) -> list[AvaRow]:
    """Simulated detections as a person-box file (empty action column, score)."""
    return [
        AvaRow(
            scene.video_id, _timestamp(scene, d.frame), _normalised(scene, np.array(d.box)), None,
            score=round(d.score, 4),
        )
        for d in detections
    ]


def _runs(frames: np.ndarray) -> list[np.ndarray]:
    """Split sorted frame numbers into runs of consecutive frames."""
    if frames.size == 0:
        return []
    return np.split(frames, np.flatnonzero(np.diff(frames) > 1) + 1)


def _rounded(boxes: np.ndarray) -> list[list[float]]:
    return [[round(float(v), 2) for v in box] for box in boxes]


def tubes_record(scene: VideoScene, split: str) -> dict[str, Any]:
    """All people of a video for ``tubes.json``: their whole box track and each labelled
    action segment with the frames (0-based) where the person is visible and its boxes."""
    visible = scene.visible
    people = []
    for index, figure in enumerate(scene.figures):
        frames = np.flatnonzero(visible[:, index])
        actions = []
        for name, start, end in figure.segments:
            seg_frames = frames[(frames >= start) & (frames < end)]
            actions.append({
                "label": name,
                "action_id": ACTION_IDS[name],
                "start": start,
                "end": end,
                "frames": seg_frames.tolist(),
                "boxes": _rounded(scene.boxes[seg_frames, index]),
            })
        people.append({
            "person_id": figure.person_id,
            "bystander": figure.bystander,
            "frames": frames.tolist(),
            "boxes": _rounded(scene.boxes[frames, index]),
            "actions": actions,
        })
    return {
        "split": split,
        "width": scene.width,
        "height": scene.height,
        "fps": scene.fps,
        "nframes": scene.nframes,
        "people": people,
    }


def main_action(scene: VideoScene) -> str | None:
    """The action with the most visible person-frames (ties to the lowest id), if any."""
    counts = scene.labels().sum(axis=(0, 1))
    if not counts.any():
        return None
    return ACTIONS[int(np.argmax(counts))]


def ucf_video(scene: VideoScene, split: str | None) -> UcfVideo:
    """The video in UCF101-24 style: one class (:func:`main_action`) and a tube for each
    continuous visible run of each segment of that class. ``split`` must be ``"train"``,
    ``"test"`` or ``None``, all the ACT pickle can hold."""
    names = class_names(scene.classes)
    action = main_action(scene)
    label = names.index(action) if action is not None else 0
    tubes = []
    visible = scene.visible
    for index, figure in enumerate(scene.figures):
        for name, start, end in figure.segments:
            if name != action:
                continue
            frames = np.flatnonzero(visible[start:end, index]) + start
            for run in _runs(frames):
                tubes.append(UcfTube(label, run.astype(np.int64), scene.boxes[run, index].astype(np.float64)))
    return UcfVideo(scene.video_id, label, scene.nframes, scene.width, scene.height, split, tubes)
