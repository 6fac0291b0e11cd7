"""Video AP of a tubes CSV against UCF101-24 ground truth (`wsad eval video-ap`).

Ground truth is either community pickle (``UCF101v2-GT.pkl`` or ``pyannot.pkl``, read with
:func:`wsad_core.formats.read_ucf24`, which makes ACT's 1-based frames 0-based) or a project
folder's every-frame ground-truth boxes. The evaluated videos are ACT's test list for the
ACT pickle (``split="test"``), every video for pyannot and projects, or the videos of the
``split`` asked for. Detections of other videos are ignored, as ACT never loads them.

A tube's ``label`` is looked up among the ground truth's class names; a tube without a
label uses its ``label_id`` as the index of the ground truth's class list. Tubes of other
classes are ignored (as the AVA evaluator drops classes outside its label map), and so are
tubes of videos that are not evaluated; both are counted in ``n_ignored``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsad_core.errors import WsadError
from wsad_core.evaluate.video_ap import DetectedTube, GtTube, VideoApResult, video_ap_range
from wsad_core.formats.tubes_csv import CsvTube, read_tubes_csv

RANGE_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 4) for i in range(10))
SPLITS = ("train", "val", "test", "all")


@dataclass(frozen=True)
class VideoApGroundTruth:
    """Ground-truth tubes per evaluated video (labelled by class name) and the class names."""

    tubes: dict[str, list[GtTube]]
    labels: list[str]
    source: str


@dataclass(frozen=True)
class VideoApReport:
    """Video AP at each asked threshold, the 0.5:0.95 mean, and what was evaluated."""

    thresholds: tuple[float, ...]
    per_threshold: dict[float, VideoApResult]
    range_map: float
    labels: list[str]
    n_gt: int
    n_det: int
    n_ignored: int

    def to_json(self) -> dict[str, Any]:
        """``{"mAP": {"0.2": x, …}, "per_class": {name: {"0.2": ap | null, …}},
        "mAP_0.5:0.95": z, "n_gt": …, "n_det": …, "n_ignored": …}``; NaN is written as null."""

        def finite(value: float) -> float | None:
            return None if math.isnan(value) else float(value)

        keys = {t: f"{t:g}" for t in self.thresholds}
        return {
            "mAP": {keys[t]: finite(self.per_threshold[t].map) for t in self.thresholds},
            "per_class": {
                name: {keys[t]: finite(self.per_threshold[t].per_class[name]) for t in self.thresholds}
                for name in self.labels
            },
            "mAP_0.5:0.95": finite(self.range_map),
            "n_gt": self.n_gt,
            "n_det": self.n_det,
            "n_ignored": self.n_ignored,
        }


def _check_split(split: str | None) -> None:
    if split is not None and split not in SPLITS:
        raise WsadError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")


def _from_pickle(path: Path, split: str | None) -> VideoApGroundTruth:
    from wsad_core.formats import read_ucf24

    annotations = read_ucf24(path)
    if split is None:
        split = "test" if annotations.source_format == "act" else "all"
    tubes = {
        name: [GtTube(annotations.labels[t.label], t.frames, t.boxes) for t in video.tubes]
        for name, video in annotations.videos.items()
        if split == "all" or video.split == split
    }
    if not tubes:
        raise WsadError(f"{path}: no videos in the {split!r} split")
    return VideoApGroundTruth(tubes, list(annotations.labels), f"{annotations.source_format} pickle")


def _from_project(path: Path, split: str | None) -> VideoApGroundTruth:
    from wsad_core.evaluate.run_detections import project_gt_tubes
    from wsad_core.project import Project

    with Project.open(path) as project:
        videos = [v for v in project.videos() if split in (None, "all") or v.split == split]
        tubes = project_gt_tubes(project, videos)
        labels = [label.name for label in project.labels()]
    if not any(tubes.values()):
        raise WsadError(f"{path}: the project has no every-frame ground truth (tubes) to evaluate against")
    return VideoApGroundTruth(tubes, labels, "project")


def load_video_ap_ground_truth(path: str | Path, *, split: str | None = None) -> VideoApGroundTruth:
    """Ground truth from a UCF101-24 pickle or a project folder (see the module docstring)."""
    _check_split(split)
    path = Path(path)
    if path.is_dir():
        return _from_project(path, split)
    return _from_pickle(path, split)


def match_detections(
    tubes: Sequence[CsvTube], ground_truth: VideoApGroundTruth
) -> tuple[list[DetectedTube], int]:
    """The tubes evaluated against ``ground_truth`` (labelled by class name), and how many were ignored."""
    names = set(ground_truth.labels)
    detections: list[DetectedTube] = []
    for tube in tubes:
        if tube.label:
            label = tube.label if tube.label in names else None
        else:
            known = tube.label_id is not None and tube.label_id < len(ground_truth.labels)
            label = ground_truth.labels[tube.label_id] if known else None
        if label is not None and tube.video_id in ground_truth.tubes:
            detections.append(DetectedTube(tube.video_id, label, tube.score, tube.frames, tube.boxes))
    return detections, len(tubes) - len(detections)


def evaluate_video_ap_files(
    ground_truth: str | Path,
    tubes_csv: str | Path,
    thresholds: Sequence[float] = (0.2, 0.5),
    *,
    split: str | None = None,
) -> VideoApReport:
    """ACT's Video AP of the tubes in ``tubes_csv`` at each ST-IoU threshold, and the
    mean over 0.5:0.95 (:data:`RANGE_THRESHOLDS`)."""
    asked = tuple(dict.fromkeys(round(float(t), 4) for t in thresholds))
    if not asked or any(not 0.0 < t <= 1.0 for t in asked):
        raise WsadError("IoU thresholds must lie in (0, 1]")
    truth = load_video_ap_ground_truth(ground_truth, split=split)
    detections, ignored = match_detections(read_tubes_csv(tubes_csv), truth)
    ranged = video_ap_range(
        truth.tubes, detections, truth.labels, thresholds=sorted(set(asked) | set(RANGE_THRESHOLDS))
    )
    maps = [ranged.per_threshold[t].map for t in RANGE_THRESHOLDS]
    finite = [m for m in maps if not math.isnan(m)]
    return VideoApReport(
        thresholds=asked,
        per_threshold={t: ranged.per_threshold[t] for t in asked},
        range_map=sum(finite) / len(finite) if finite else math.nan,
        labels=truth.labels,
        n_gt=sum(len(tubes) for tubes in truth.tubes.values()),
        n_det=len(detections),
        n_ignored=ignored,
    )
