"""Tubelets of a project's videos from one detection set, cached, and their quality
against the project's ground-truth boxes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wsad_core.detect.cache import DetectionSet
from wsad_core.files import atomic_output
from wsad_core.project import Project, VideoRecord
from wsad_core.tubes.iou import box_iou
from wsad_core.tubes.tracks import FrameDetections, link_tracks
from wsad_core.tubes.tubelets import Tubelet, cut_tubelets, deduplicate_tubelets


@dataclass(frozen=True)
class TubeletConfig:
    k: int = 16
    link_iou: float = 0.3
    max_gap: int = 5
    min_score: float = 0.0
    dedup_iou: float = 0.5

    def key(self) -> str:
        text = json.dumps(self.__dict__, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:10]


def tubelets_from_detections(detections: FrameDetections, config: TubeletConfig) -> list[Tubelet]:
    keep = detections.scores >= config.min_score
    filtered = FrameDetections(detections.frames[keep], detections.boxes[keep], detections.scores[keep])
    tracks = link_tracks(filtered, iou_threshold=config.link_iou, max_gap=config.max_gap)
    return deduplicate_tubelets(cut_tubelets(tracks, config.k), config.dedup_iou)


def _from_arrays(data: Mapping[str, np.ndarray], k: int) -> list[Tubelet]:
    return [
        Tubelet(int(track), np.arange(start, start + k), boxes.astype(np.float64), float(score))
        for track, start, boxes, score in zip(data["track_ids"], data["starts"], data["boxes"], data["scores"])
    ]


def _save(path: Path, tubelets: list[Tubelet], k: int) -> dict[str, np.ndarray]:
    """Atomically, through a temporary file of this writer's own (runs side by side fill one
    cache); returns the arrays written (boxes in float32)."""
    arrays = {
        "track_ids": np.array([t.track_id for t in tubelets], dtype=np.int64),
        "starts": np.array([t.frames[0] for t in tubelets], dtype=np.int64),
        "boxes": np.array([t.boxes for t in tubelets], dtype=np.float32).reshape(-1, k, 4),
        "scores": np.array([t.score for t in tubelets], dtype=np.float64),
    }
    with atomic_output(path, force=True) as temp, temp.open("wb") as handle:
        np.savez(handle, **arrays)
    return arrays


def _load(path: Path, k: int) -> list[Tubelet]:
    with np.load(path) as data:
        return _from_arrays(data, k)


ProgressCallback = Callable[[int, int, str], None]


def project_tubelets(
    project: Project,
    detection_set: DetectionSet,
    config: TubeletConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> dict[str, list[Tubelet]]:
    """Tubelets per video name for every video the detection set covers (cached)."""
    config = config or TubeletConfig()
    folder = project.cache_dir / "tubelets" / f"{detection_set.key}-k{config.k}-{config.key()}"
    folder.mkdir(parents=True, exist_ok=True)
    videos = [v for v in project.videos(status="ok") if detection_set.has(v.fingerprint)]
    result = {}
    for done, video in enumerate(videos):
        path = folder / f"{video.fingerprint.replace(':', '_')}.npz"
        if path.is_file():
            result[video.name] = _load(path, config.k)
        else:
            arrays = _save(path, tubelets_from_detections(detection_set.load(video.fingerprint), config), config.k)
            # What the cache holds (boxes in float32), not the float64 just computed: a project's
            # first run would otherwise train on other boxes than every later one (session 9).
            result[video.name] = _from_arrays(arrays, config.k)
        if progress is not None:
            progress(done + 1, len(videos), video.name)
    return result


@dataclass(frozen=True)
class TubeletQuality:
    """Tubelet boxes against ground-truth people on annotated frames, at IoU ≥ 0.5."""

    gt_boxes: int
    tubelet_boxes: int
    recall: float
    precision: float


def _gt_person_boxes(project: Project, videos: dict[str, VideoRecord]) -> dict[tuple[str, int], np.ndarray]:
    """Distinct ground-truth person boxes per (video, frame) that has anybody on it."""
    return {
        key: np.array([person.box for person in people])
        for key, people in project.ground_truth_people(videos).items()
        if people
    }


def match_quality(
    gt: dict[tuple[str, int], np.ndarray], tubelets: dict[str, list[Tubelet]]
) -> TubeletQuality | None:
    """Recall and precision of tubelet boxes on the frames ``gt`` covers (None without any).

    ``gt`` maps (video, frame) to that frame's ground-truth person boxes. A person is found
    when some tubelet box on that frame overlaps it at IoU ≥ 0.5; a tubelet box is correct
    when it overlaps some ground-truth person so.
    """
    if not gt:
        return None
    found = total_gt = correct = total_pred = 0
    for (name, frame), gt_boxes in gt.items():
        predicted = [
            t.boxes[frame - t.frames[0]] for t in tubelets.get(name, ()) if t.frames[0] <= frame <= t.frames[-1]
        ]
        total_gt += len(gt_boxes)
        if not predicted:
            continue
        ious = box_iou(np.array(predicted), gt_boxes)
        found += int((ious >= 0.5).any(axis=0).sum())
        correct += int((ious >= 0.5).any(axis=1).sum())
        total_pred += len(predicted)
    return TubeletQuality(
        gt_boxes=total_gt,
        tubelet_boxes=total_pred,
        recall=found / total_gt if total_gt else 0.0,
        precision=correct / total_pred if total_pred else 0.0,
    )


def tubelet_quality(project: Project, tubelets: dict[str, list[Tubelet]]) -> TubeletQuality | None:
    """:func:`match_quality` against the project's ground-truth boxes (None without any)."""
    videos = {v.name: v for v in project.videos(status="ok") if v.name in tubelets}
    return match_quality(_gt_person_boxes(project, videos), tubelets)
