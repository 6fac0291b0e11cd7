"""What a run trains on, fixed when it starts: the label space, the labelled clips, the
detection set and the video files (so labelling can go on while it trains)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from wsad_core.detect.coverage import choose_detection_set
from wsad_core.errors import WsadError
from wsad_core.mil.bags import ClipSpan
from wsad_core.mil.project_bags import labelled_clip_spans
from wsad_core.project import Project
from wsad_core.project.labels import label_map_entries
from wsad_core.train.config import TrainConfig
from wsad_core.train.full_supervision import ground_truth_snapshot


def label_space(project: Project, config: TrainConfig) -> list[str]:
    """The labels a run predicts, in vocabulary order."""
    vocabulary = project.labels()
    names = [label.name for label in vocabulary]
    if config.data.label_map:
        ids = {external_id for external_id, _ in label_map_entries(config.data.label_map)}
        names = [label.name for label in vocabulary if label.external_id in ids]
    if config.data.labels:
        unknown = sorted(set(config.data.labels) - set(names))
        if unknown:
            raise WsadError(f"data.labels names labels outside the label space: {', '.join(unknown)}")
        names = [name for name in names if name in set(config.data.labels)]
    if not names:
        raise WsadError("the label space is empty: check data.label_map / data.labels")
    return names


def make_snapshot(project: Project, config: TrainConfig) -> dict[str, Any]:
    detection_set = choose_detection_set(project, config.data.detections)
    spans = labelled_clip_spans(project, split=config.data.train_split)
    if not spans:
        split = f" of split {config.data.train_split!r}" if config.data.train_split else ""
        raise WsadError(f"no labelled clips{split} to train on")
    videos = {v.name: v.path for v in project.videos(status="ok")}
    if config.mode == "full":
        train_videos = sorted({span.video for span in spans})
        ground_truth = ground_truth_snapshot(project, train_videos)
        if not ground_truth:
            raise WsadError("mode=full needs ground-truth boxes on the training videos")
    else:
        ground_truth = []
    return {
        "ground_truth": ground_truth,
        "labels": label_space(project, config),
        "detection_set": detection_set.key,
        "clips": [asdict(span) for span in spans],
        "videos": {span.video: videos[span.video] for span in spans},
    }


def save_snapshot(snapshot: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(snapshot, indent=1))


def load_snapshot(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def snapshot_spans(snapshot: dict[str, Any]) -> list[ClipSpan]:
    return [ClipSpan(**{**span, "labels": tuple(span["labels"])}) for span in snapshot["clips"]]
