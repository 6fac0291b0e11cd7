"""Video AP on UCF101-24, following ACT's ``videoAP`` (Kalogeiton et al., ICCV 2017).

Per class:

1. 3D NMS at 0.3 within each video: tubes by descending score, a tube is suppressed when
   its spatio-temporal IoU with a kept one is above 0.3.
2. All remaining detections of the class, by descending score, are matched greedily: each
   takes the remaining (not yet matched) ground-truth tube of its video with the highest
   ST-IoU (the first such tube on equal IoU), a true positive when that IoU is >= τ.
3. Precision and recall after each detection form the curve, starting at
   (recall 0, precision 1); AP is its trapezoidal area. As in ACT the curve is held in
   ``float32`` and integrated as ``sum((r[1:] - r[:-1]) * (p[1:] + p[:-1]) * 0.5)``.

A class without ground-truth tubes has NaN AP (ACT divides by zero there) and is left out
of the mean; one with tubes but no detection has AP 0.

ST-IoU = temporal IoU of the frame spans (``first..last``, inclusive) × mean per-frame box
IoU over the frames both tubes have, with the +1 pixel convention (areas
``(x2 - x1 + 1)(y2 - y1 + 1)``). ACT assumes tubes without gaps; for those "frames both
tubes have" is exactly the overlap of the spans, where ACT would fail on gaps.

Ties: equal scores keep input order, in NMS and in the ranking (ACT uses numpy's unstable
``argsort``, whose tie order is not specified).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wsad_core.formats import UcfAnnotations

Label = Hashable
NMS_THRESHOLD = 0.3


@dataclass(eq=False)
class GtTube:
    """A ground-truth tube: ``frames`` (T,) ascending frame indices, ``boxes`` (T, 4) pixel x1y1x2y2."""

    label: Label
    frames: np.ndarray
    boxes: np.ndarray


@dataclass(eq=False)
class DetectedTube:
    """A detected tube of ``video`` for class ``label``, with frames and boxes as :class:`GtTube`."""

    video: str
    label: Label
    score: float
    frames: np.ndarray
    boxes: np.ndarray


@dataclass(frozen=True)
class VideoApResult:
    """Mean AP over classes with ground truth, and AP per class (NaN without ground truth)."""

    map: float
    per_class: dict[Label, float]


@dataclass(frozen=True)
class VideoApRangeResult:
    """AP averaged over IoU thresholds (e.g. 0.5:0.95), with the result at each threshold."""

    map: float
    per_threshold: dict[float, VideoApResult]


def _frame_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-row IoU of paired pixel boxes with the +1 convention, as ACT computes it."""
    width = np.maximum(0, np.minimum(a[:, 2] + 1, b[:, 2] + 1) - np.maximum(a[:, 0], b[:, 0]))
    height = np.maximum(0, np.minimum(a[:, 3] + 1, b[:, 3] + 1) - np.maximum(a[:, 1], b[:, 1]))
    overlap = width * height
    area_a = (a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)
    area_b = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    return overlap / (area_a + area_b - overlap)


def spatio_temporal_iou(
    frames_a: np.ndarray, boxes_a: np.ndarray, frames_b: np.ndarray, boxes_b: np.ndarray
) -> float:
    """ST-IoU of two tubes (frames ascending): temporal IoU × mean box IoU over shared frames."""
    first = max(frames_a[0], frames_b[0])
    last = min(frames_a[-1], frames_b[-1])
    if last < first:
        return 0.0
    temporal_inter = last - first + 1
    temporal_union = max(frames_a[-1], frames_b[-1]) - min(frames_a[0], frames_b[0]) + 1
    _, in_a, in_b = np.intersect1d(frames_a, frames_b, assume_unique=True, return_indices=True)
    if in_a.size == 0:
        return 0.0
    spatial = float(np.mean(_frame_iou(boxes_a[in_a], boxes_b[in_b])))
    return spatial * float(temporal_inter / temporal_union)


def _as_tube(frames: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    frames = np.asarray(frames, dtype=np.int64).reshape(-1)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if frames.shape[0] != boxes.shape[0] or frames.shape[0] == 0:
        raise ValueError("a tube needs one box per frame and at least one frame")
    if np.any(frames[1:] <= frames[:-1]):
        order = np.argsort(frames, kind="stable")
        frames, boxes = frames[order], boxes[order]
        if np.any(frames[1:] == frames[:-1]):
            raise ValueError("a tube has two boxes on one frame")
    return frames, boxes


def _by_score(scores: Sequence[float]) -> np.ndarray:
    """Indices by descending score, equal scores in input order."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


def nms_3d(tubes: Sequence[DetectedTube], threshold: float = NMS_THRESHOLD) -> list[int]:
    """Indices of the tubes kept by 3D NMS, best first: a tube is dropped when its ST-IoU
    with a kept tube is above ``threshold``. All tubes are taken as one video's, one class's."""
    prepared = [_as_tube(t.frames, t.boxes) for t in tubes]
    remaining = list(_by_score([t.score for t in tubes]))
    kept: list[int] = []
    while remaining:
        best = remaining.pop(0)
        kept.append(int(best))
        fa, ba = prepared[best]
        remaining = [i for i in remaining if spatio_temporal_iou(*prepared[i], fa, ba) <= threshold]
    return kept


def trapezoid_average_precision(precision: np.ndarray, recall: np.ndarray) -> float:
    """ACT's AP: trapezoids under the curve ``(recall, precision)`` with (0, 1) prepended, in float32."""
    curve = np.empty((len(precision) + 1, 2), dtype=np.float32)
    curve[0] = (1.0, 0.0)
    curve[1:, 0] = np.asarray(precision, dtype=np.float64)
    curve[1:, 1] = np.asarray(recall, dtype=np.float64)
    recall_step = curve[1:, 1] - curve[:-1, 1]
    precision_sum = curve[1:, 0] + curve[:-1, 0]
    return float(np.sum(recall_step * precision_sum * np.float32(0.5)))


@dataclass
class _Ranked:
    """One class's detections after NMS, by descending score, each with its ST-IoU to the
    class's ground-truth tubes of its video (in their input order), and the tube count."""

    videos: list[str]
    ious: list[np.ndarray]
    n_gt: int


def _prepare(
    gt: Mapping[str, Sequence[GtTube]],
    detections: Sequence[DetectedTube],
    labels: Sequence[Label],
    nms: float | None,
) -> dict[Label, _Ranked]:
    gt_tubes: dict[Label, dict[str, list[tuple[np.ndarray, np.ndarray]]]] = {label: {} for label in labels}
    for video, tubes in gt.items():
        for tube in tubes:
            if tube.label in gt_tubes:
                gt_tubes[tube.label].setdefault(video, []).append(_as_tube(tube.frames, tube.boxes))
    grouped: dict[Label, dict[str, list[int]]] = {label: {} for label in labels}
    for index, det in enumerate(detections):
        if det.label in grouped:
            grouped[det.label].setdefault(det.video, []).append(index)
    prepared: dict[Label, _Ranked] = {}
    for label in labels:
        survivors: list[int] = []
        for indices in grouped[label].values():
            if nms is None:
                survivors.extend(indices)
            else:
                survivors.extend(indices[k] for k in nms_3d([detections[i] for i in indices], nms))
        survivors.sort()
        order = [survivors[k] for k in _by_score([detections[i].score for i in survivors])]
        videos, ious = [], []
        for i in order:
            det = detections[i]
            frames, boxes = _as_tube(det.frames, det.boxes)
            tubes = gt_tubes[label].get(det.video, [])
            videos.append(det.video)
            ious.append(np.array([spatio_temporal_iou(f, b, frames, boxes) for f, b in tubes]))
        n_gt = sum(len(tubes) for tubes in gt_tubes[label].values())
        prepared[label] = _Ranked(videos, ious, n_gt)
    return prepared


def _class_ap(ranked: _Ranked, threshold: float) -> float:
    if ranked.n_gt == 0:
        return math.nan
    taken: dict[str, np.ndarray] = {}
    tp = np.zeros(len(ranked.videos), dtype=bool)
    for k, (video, ious) in enumerate(zip(ranked.videos, ranked.ious)):
        if ious.size == 0:
            continue
        free = taken.setdefault(video, np.ones(ious.size, dtype=bool))
        candidates = np.where(free, ious, -np.inf)
        best = int(np.argmax(candidates))
        if free[best] and ious[best] >= threshold:
            tp[k] = True
            free[best] = False
    cum_tp = np.cumsum(tp)
    ranks = np.arange(1, tp.size + 1)
    precision = cum_tp / ranks
    recall = cum_tp / ranked.n_gt
    return trapezoid_average_precision(precision, recall)


def _result(prepared: dict[Label, _Ranked], labels: Sequence[Label], threshold: float) -> VideoApResult:
    per_class = {label: _class_ap(prepared[label], threshold) for label in labels}
    values = [v for v in per_class.values() if not math.isnan(v)]
    return VideoApResult(map=float(np.mean(values)) if values else math.nan, per_class=per_class)


def video_ap(
    gt: Mapping[str, Sequence[GtTube]],
    detections: Sequence[DetectedTube],
    labels: Sequence[Label],
    iou: float = 0.5,
    *,
    nms: float | None = NMS_THRESHOLD,
) -> VideoApResult:
    """Video AP at ST-IoU ``iou`` over the classes ``labels`` (``nms=None`` skips 3D NMS)."""
    labels = list(dict.fromkeys(labels))
    return _result(_prepare(gt, detections, labels, nms), labels, iou)


def video_ap_range(
    gt: Mapping[str, Sequence[GtTube]],
    detections: Sequence[DetectedTube],
    labels: Sequence[Label],
    thresholds: Sequence[float] | np.ndarray = np.arange(0.5, 0.96, 0.05),
    *,
    nms: float | None = NMS_THRESHOLD,
) -> VideoApRangeResult:
    """Video AP at each threshold (0.5:0.95 by default) and the mean of their mAPs.

    NMS and ST-IoUs are computed once and shared by all thresholds. Thresholds are rounded
    to 4 decimals, so that ``np.arange``'s 0.6000000000000001 tests IoU >= 0.6.
    """
    labels = list(dict.fromkeys(labels))
    prepared = _prepare(gt, detections, labels, nms)
    rounded = dict.fromkeys(round(float(t), 4) for t in thresholds)
    per_threshold = {t: _result(prepared, labels, t) for t in rounded}
    maps = [r.map for r in per_threshold.values() if not math.isnan(r.map)]
    return VideoApRangeResult(map=float(np.mean(maps)) if maps else math.nan, per_threshold=per_threshold)


def ground_truth_from_ucf24(
    annotations: UcfAnnotations, *, split: str | None = "test"
) -> dict[str, list[GtTube]]:
    """Ground-truth tubes per video from :func:`wsad_core.formats.read_ucf24` output.

    Labels are the 0-based class indices of ``annotations.labels``; ``split=None`` keeps
    every video, otherwise only videos whose split is ``split``.
    """
    return {
        name: [GtTube(tube.label, tube.frames, tube.boxes) for tube in video.tubes]
        for name, video in annotations.videos.items()
        if split is None or video.split == split
    }
