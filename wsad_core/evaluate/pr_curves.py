"""Per-class precision-recall curves behind Frame AP, for plots.

The numbers come from :func:`wsad_core.evaluate.frame_ap.frame_ap`; this recomputes the
ranked true positives with the same rules (50 per keyframe, unannotated keyframes ignored,
best-IoU box, a taken box makes a false positive) in plain code, to draw them. The cap
keeps the top scores per keyframe, which differs from the reference's heap only on ties.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wsad_core.formats import AvaRow

IOU = 0.5


@dataclass(frozen=True, eq=False)
class PrCurve:
    precision: np.ndarray
    recall: np.ndarray
    n_gt: int
    true_positives: np.ndarray  # of the ranked detections


def _iou(box: tuple[float, ...], boxes: np.ndarray) -> np.ndarray:
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / (area + areas - inter)


def frame_pr_curves(
    gt: Sequence[AvaRow], detections: Sequence[AvaRow], class_ids: Sequence[int], *, cap: int | None = 50
) -> dict[int, PrCurve]:
    """Precision and recall after each ranked detection, per class with ground truth."""
    classes = set(class_ids)
    annotated = {(r.video_id, r.timestamp) for r in gt if r.box is None or r.action_id in classes}
    gt_boxes: dict[tuple[str, float, int], list[tuple[float, ...]]] = defaultdict(list)
    for row in gt:
        if row.box is not None and row.action_id in classes:
            gt_boxes[(row.video_id, row.timestamp, row.action_id)].append(row.box)
    per_frame: dict[tuple[str, float], list[AvaRow]] = defaultdict(list)
    for row in detections:
        if row.action_id in classes and (row.video_id, row.timestamp) in annotated:
            per_frame[(row.video_id, row.timestamp)].append(row)
    kept: dict[int, list[AvaRow]] = defaultdict(list)
    for rows in per_frame.values():
        ranked = sorted(rows, key=lambda r: -float(r.score))
        for row in ranked if cap is None else ranked[:cap]:
            kept[row.action_id].append(row)
    curves = {}
    for class_id in class_ids:
        n_gt = sum(len(boxes) for (_, _, c), boxes in gt_boxes.items() if c == class_id)
        if n_gt == 0:
            continue
        ranked = sorted(kept.get(class_id, []), key=lambda r: -float(r.score))
        taken: dict[tuple[str, float], np.ndarray] = {}
        tp = np.zeros(len(ranked), dtype=bool)
        for k, row in enumerate(ranked):
            boxes = gt_boxes.get((row.video_id, row.timestamp, class_id))
            if not boxes:
                continue
            ious = _iou(row.box, np.asarray(boxes))
            best = int(np.argmax(ious))
            used = taken.setdefault((row.video_id, row.timestamp), np.zeros(len(boxes), dtype=bool))
            if ious[best] >= IOU and not used[best]:
                tp[k] = used[best] = True
        hits = np.cumsum(tp)
        precision = hits / np.arange(1, len(ranked) + 1) if len(ranked) else np.zeros(0)
        curves[class_id] = PrCurve(precision, hits / n_gt, n_gt, tp)
    return curves
