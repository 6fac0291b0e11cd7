"""The fully supervised baseline (section 4.2): boxes instead of clip labels.

On every annotated frame of the training videos, each person track's box and each
ground-truth box is an instance; a detected box overlapping a ground-truth box at IoU > 0.5
takes its labels, any other box is a negative. Each instance becomes a bag of one with those
labels, so the naive objective on such bags is the per-box cross-entropy of the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from wsad_core.mil.bags import Bag
from wsad_core.mil.targets import fully_supervised_targets
from wsad_core.project import Project
from wsad_core.tubes import Tubelet


def ground_truth_snapshot(project: Project, videos: Sequence[str]) -> list[dict[str, Any]]:
    """Per annotated frame of ``videos``: the people's boxes and action names, as plain data
    for the run's snapshot (labelling may go on while the run trains)."""
    return [
        {"video": video, "frame": frame,
         "people": [{"box": list(person.box), "labels": list(person.labels)} for person in people]}
        for (video, frame), people in sorted(project.ground_truth_people(videos).items())
    ]


def _instance(video: str, frame: int, box: np.ndarray, labels: tuple[str, ...], k: int, track: int) -> Bag:
    start = frame - k // 2
    tubelet = Tubelet(track, np.arange(start, start + k), np.tile(box, (k, 1)), 1.0)
    return Bag(clip_id=-1, video=video, labels=labels, tubelets=(tubelet,))


def supervised_instances(
    ground_truth: Sequence[dict[str, Any]],
    tubelets: Mapping[str, Sequence[Tubelet]],
    label_names: Sequence[str],
    k: int,
) -> list[Bag]:
    """Singleton bags: each track's box and each ground-truth box on each annotated frame."""
    index = {name: i for i, name in enumerate(label_names)}
    bags = []
    for entry in ground_truth:
        video, frame = entry["video"], entry["frame"]
        gt_boxes = np.array([p["box"] for p in entry["people"]], dtype=np.float64).reshape(-1, 4)
        gt_labels = np.zeros((len(gt_boxes), len(label_names)))
        for row, person in enumerate(entry["people"]):
            for name in person["labels"]:
                if name in index:
                    gt_labels[row, index[name]] = 1
        boxes_by_track: dict[int, np.ndarray] = {}
        for tubelet in tubelets.get(video, ()):
            if tubelet.frames[0] <= frame <= tubelet.frames[-1]:
                boxes_by_track.setdefault(tubelet.track_id, tubelet.boxes[frame - tubelet.frames[0]])
        if boxes_by_track:
            proposals = np.stack(list(boxes_by_track.values()))
            targets = fully_supervised_targets(
                torch.from_numpy(proposals), torch.from_numpy(gt_boxes), torch.from_numpy(gt_labels)
            ).numpy()
            for (track, box), target in zip(boxes_by_track.items(), targets):
                names = tuple(label_names[i] for i in np.flatnonzero(target))
                bags.append(_instance(video, frame, box, names, k, track))
        for row, person in enumerate(entry["people"]):
            bags.append(_instance(video, frame, gt_boxes[row], tuple(sorted(person["labels"])), k, -1 - row))
    return bags
