"""Frame AP on AVA, following ActivityNet's ``get_ava_performance.py`` (v2.2).

The protocol, rule by rule (``PascalDetectionEvaluator`` at IoU 0.5, one image per keyframe):

1. Rows whose action is not in the label map are dropped, from ground truth and detections.
2. Detections are capped to the ``cap`` (50) highest-scoring rows per keyframe, over all
   classes, with the reference's heap: a row enters a full keyframe only with a score
   strictly above the lowest kept one, which leaves it, the smallest
   ``(score, action, y1, x1, y2, x2)`` first. With tied scores at the boundary the kept
   rows therefore depend on file order, exactly as in the reference.
3. Keyframes of the excluded-timestamps file are dropped from both sides.
4. Detected boxes with ``x1 >= x2`` or ``y1 >= y2`` are dropped after the cap (the
   reference's ``_remove_invalid_boxes``): they neither count nor score.
5. Per keyframe and class, detections in descending score each take the ground-truth box
   of highest IoU (normalised coordinates, no +1; on equal IoU the first box in file
   order, where the reference takes the first in its heap's layout); IoU
   >= 0.5 with a box not yet taken is a true positive, anything else a false positive.
6. Per class, all detections ranked by score give precision and recall; AP is the VOC
   area under the precision envelope (made non-increasing from the right), summed over
   the points where recall changes. A class with ground truth but no detection has AP 0;
   a class without ground truth has NaN and is left out of the mean.

Keyframes without ground truth. ActivityNet's evaluator scores detections on a keyframe
absent from the ground truth as false positives (its object-detection evaluator gives such a
keyframe an empty ground truth); MMAction2 ignores them by default
(``ignore_empty_frames=True``). ``unannotated="false_positive"`` (the default) follows
ActivityNet; ``unannotated="ignore"`` follows MMAction2. A
keyframe is annotated when it has a ground-truth row of an evaluated class or a
two-column ``video_id,timestamp`` row, which marks a keyframe annotated with nobody
acting (the reference rejects such rows; ground-truth rows of classes outside the label
map do not make a keyframe annotated, as in the reference).

Keyframes are keyed by ``(video_id, timestamp)`` with the timestamp as read; the
reference truncates timestamps to whole seconds, which is the same on AVA's integer
timestamps but would merge the fractional ones of every-frame files.

Ties. Among equal scores, detections are ranked in input (file) order, both when they
take boxes on a keyframe and in each class's precision-recall curve. The reference sorts
with numpy's default (unstable) ``argsort`` reversed, whose tie order depends on the
array size and the machine, so no deterministic choice can match it everywhere.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from wsad_core.evaluate.ava_io import AvaArrays, read_ava_arrays, read_excluded_timestamps
from wsad_core.formats import read_label_map

Unannotated = Literal["ignore", "false_positive"]
IOU_THRESHOLD = 0.5


@dataclass(frozen=True)
class FrameApResult:
    """Mean AP over the classes that have ground truth, and AP per label-map class.

    ``n_gt`` counts evaluated ground-truth boxes (one per box and action), ``n_det`` the
    detections that were ranked (after the cap and every filter).
    """

    map: float
    per_class: dict[int, float]
    n_gt: int
    n_det: int

    def to_json(self) -> dict[str, object]:
        """``{"mAP", "per_class": {"<id>": AP or None}, "n_gt", "n_det"}``; NaN becomes ``None``."""

        def finite(value: float) -> float | None:
            return None if math.isnan(value) else float(value)

        return {
            "mAP": finite(self.map),
            "per_class": {str(k): finite(v) for k, v in self.per_class.items()},
            "n_gt": self.n_gt,
            "n_det": self.n_det,
        }


def voc_average_precision(tp: np.ndarray, n_gt: int) -> float:
    """VOC "all points" AP of detections already ranked by score (``tp`` marks true positives).

    Precision is made non-increasing from the right over ``[0, p..., 0]`` with recall
    ``[0, r..., 1]``, and AP sums ``Δrecall × precision`` where recall changes. The
    operations are those of the reference, so results agree to the last bit.
    """
    if n_gt <= 0:
        return math.nan
    if tp.size == 0:
        return 0.0
    cum_tp = np.cumsum(tp.astype(np.int64))
    cum_fp = np.cumsum(1 - tp.astype(np.int64))
    precision = cum_tp.astype(float) / (cum_tp + cum_fp)
    recall = cum_tp.astype(float) / n_gt
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[0.0], precision, [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    changes = np.flatnonzero(recall[1:] != recall[:-1]) + 1
    return float(np.sum((recall[changes] - recall[changes - 1]) * precision[changes]))


def _keyframe_codes(video: np.ndarray, timestamps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A dense code per distinct ``(video, timestamp)``, with the video and time of each code.

    Works on runs of equal keys first, so files grouped by keyframe cost one pass.
    """
    n = video.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    changed = np.ones(n, dtype=bool)
    changed[1:] = (video[1:] != video[:-1]) | (timestamps[1:] != timestamps[:-1])
    heads = np.flatnonzero(changed)
    head_video, head_time = video[heads], timestamps[heads]
    order = np.lexsort((head_time, head_video))
    sorted_video, sorted_time = head_video[order], head_time[order]
    new = np.ones(order.shape[0], dtype=bool)
    new[1:] = (sorted_video[1:] != sorted_video[:-1]) | (sorted_time[1:] != sorted_time[:-1])
    unique_of_head = np.empty(order.shape[0], dtype=np.int64)
    unique_of_head[order] = np.cumsum(new) - 1
    codes = unique_of_head[np.cumsum(changed) - 1]
    return codes, sorted_video[new], sorted_time[new]


def _heap_cap(
    rows: np.ndarray, scores: np.ndarray, actions: np.ndarray, boxes: np.ndarray, cap: int
) -> np.ndarray:
    """Rows (of one keyframe, in file order) that the reference's bounded heap keeps."""
    heap: list[tuple[float, int, float, float, float, float, int]] = []
    for row in rows:
        x1, y1, x2, y2 = boxes[row]
        entry = (float(scores[row]), int(actions[row]), float(y1), float(x1), float(y2), float(x2), int(row))
        if len(heap) < cap:
            heapq.heappush(heap, entry)
        elif entry[0] > heap[0][0]:
            heapq.heapreplace(heap, entry)
    return np.array(sorted(entry[-1] for entry in heap), dtype=np.int64)


def _apply_cap(codes: np.ndarray, det: AvaArrays, cap: int) -> np.ndarray:
    """Indices (ascending) of the detections kept by the per-keyframe cap."""
    n = codes.shape[0]
    order = np.lexsort((-det.scores, codes))
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_codes[1:] != sorted_codes[:-1])))
    counts = np.diff(np.concatenate((starts, [n])))
    rank = np.arange(n) - np.repeat(starts, counts)
    keep = np.zeros(n, dtype=bool)
    keep[order[rank < cap]] = True
    sorted_scores = det.scores[order]
    for start, count in zip(starts[counts > cap], counts[counts > cap]):
        if sorted_scores[start + cap - 1] != sorted_scores[start + cap]:
            continue
        rows = np.sort(order[start : start + count])
        keep[rows] = False
        keep[_heap_cap(rows, det.scores, det.actions, det.boxes, cap)] = True
    return np.flatnonzero(keep)


def _pair_iou(det_boxes: np.ndarray, gt_boxes: np.ndarray) -> np.ndarray:
    """IoU of paired boxes (``x1, y1, x2, y2``), in the reference's order of operations."""
    d, g = det_boxes, gt_boxes
    heights = np.maximum(0.0, np.minimum(d[:, 3], g[:, 3]) - np.maximum(d[:, 1], g[:, 1]))
    widths = np.maximum(0.0, np.minimum(d[:, 2], g[:, 2]) - np.maximum(d[:, 0], g[:, 0]))
    intersection = heights * widths
    det_area = (det_boxes[:, 3] - det_boxes[:, 1]) * (det_boxes[:, 2] - det_boxes[:, 0])
    gt_area = (gt_boxes[:, 3] - gt_boxes[:, 1]) * (gt_boxes[:, 2] - gt_boxes[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return intersection / (det_area + gt_area - intersection)


def _true_positives(
    det_block: np.ndarray, det_boxes: np.ndarray, gt_block: np.ndarray, gt_boxes: np.ndarray
) -> np.ndarray:
    """TP flags of detections given in processing order, against ground truth sorted by block.

    Each detection's best box is found for all detections at once; since a detection whose
    best box is taken is a false positive (it does not fall back to another box), the true
    positives are exactly the first qualifying detection of each box.
    """
    n = det_block.shape[0]
    lo = np.searchsorted(gt_block, det_block, side="left")
    hi = np.searchsorted(gt_block, det_block, side="right")
    counts = hi - lo
    tp = np.zeros(n, dtype=bool)
    if counts.sum() == 0:
        return tp
    with_gt = np.flatnonzero(counts)
    pair_det = np.repeat(with_gt, counts[with_gt])
    pair_starts = np.concatenate(([0], np.cumsum(counts[with_gt])[:-1]))
    pair_gt = np.arange(pair_det.shape[0]) - np.repeat(pair_starts, counts[with_gt]) + lo[pair_det]
    iou = _pair_iou(det_boxes[pair_det], gt_boxes[pair_gt])
    best = np.maximum.reduceat(np.nan_to_num(iou, nan=-1.0), pair_starts)
    is_best = np.nan_to_num(iou, nan=-1.0) == np.repeat(best, counts[with_gt])
    first_best_pairs = np.flatnonzero(is_best)
    _, first = np.unique(pair_det[first_best_pairs], return_index=True)
    chosen_pair = first_best_pairs[first]
    qualifies = iou[chosen_pair] >= IOU_THRESHOLD
    det_ids = pair_det[chosen_pair][qualifies]
    gt_ids = pair_gt[chosen_pair][qualifies]
    _, first_taker = np.unique(gt_ids, return_index=True)
    tp[det_ids[first_taker]] = True
    return tp


def frame_ap(
    gt: AvaArrays,
    detections: AvaArrays,
    class_ids: Sequence[int],
    *,
    cap: int | None = 50,
    excluded: set[tuple[str, float]] | None = None,
    unannotated: Unannotated = "false_positive",
) -> FrameApResult:
    """AVA frame AP at IoU 0.5 of ``detections`` against ``gt`` over the classes ``class_ids``.

    ``cap=None`` keeps every detection (as PySlowFast and MMAction2 do); ``excluded``
    holds ``(video_id, timestamp)`` keyframes left out of the evaluation. See the module
    docstring for each rule and for ``unannotated``.
    """
    if unannotated not in ("ignore", "false_positive"):
        raise ValueError(f"unannotated must be 'ignore' or 'false_positive', got {unannotated!r}")
    if cap is not None and cap < 1:
        raise ValueError(f"cap must be a positive integer or None, got {cap!r}")
    classes = list(dict.fromkeys(int(c) for c in class_ids))
    biggest = max([0, *classes, int(gt.actions.max(initial=0)), int(detections.actions.max(initial=0))])
    lut = np.full(biggest + 2, -1, dtype=np.int64)
    lut[classes] = np.arange(len(classes))
    gt_class = lut[gt.actions]  # action -1 (no box) reads lut[-1] == -1
    det_class = lut[detections.actions]

    index = {video: i for i, video in enumerate(gt.video_ids)}
    det_video_map = np.array([index.setdefault(v, len(index)) for v in detections.video_ids], dtype=np.int64)
    videos = list(index)
    n_gt_rows = len(gt)
    codes, code_video, code_time = _keyframe_codes(
        np.concatenate((gt.video, det_video_map[detections.video] if len(detections) else detections.video)),
        np.concatenate((gt.timestamps, detections.timestamps)),
    )
    gt_codes, det_codes = codes[:n_gt_rows], codes[n_gt_rows:]
    n_codes = code_video.shape[0]
    dropped = np.zeros(n_codes, dtype=bool)
    if excluded:
        for code in range(n_codes):
            dropped[code] = (videos[code_video[code]], float(code_time[code])) in excluded

    gt_keep = ~dropped[gt_codes]
    annotated = np.zeros(n_codes, dtype=bool)
    annotated[gt_codes[gt_keep & ((gt_class >= 0) | np.isnan(gt.boxes[:, 0]))]] = True
    gt_rows = np.flatnonzero(gt_keep & (gt_class >= 0))

    det_rows = np.flatnonzero((det_class >= 0) & ~dropped[det_codes] & ~np.isnan(detections.boxes[:, 0]))
    if cap is not None and det_rows.size and np.bincount(det_codes[det_rows]).max() > cap:
        det_rows = det_rows[_apply_cap(det_codes[det_rows], detections.take(det_rows), cap)]
    boxes = detections.boxes[det_rows]
    valid = (boxes[:, 0] < boxes[:, 2]) & (boxes[:, 1] < boxes[:, 3])
    if unannotated == "ignore":
        valid &= annotated[det_codes[det_rows]]
    det_rows = det_rows[valid]

    n_classes = len(classes)
    gt_block = gt_codes[gt_rows] * n_classes + gt_class[gt_rows]
    gt_order = np.argsort(gt_block, kind="stable")
    gt_block, gt_boxes = gt_block[gt_order], gt.boxes[gt_rows][gt_order]
    n_gt_per_class = np.bincount(gt_class[gt_rows], minlength=n_classes)

    ranked = det_rows[np.lexsort((-detections.scores[det_rows], det_class[det_rows]))]
    ranked_class = det_class[ranked]
    tp = _true_positives(
        det_codes[ranked] * n_classes + ranked_class, detections.boxes[ranked], gt_block, gt_boxes
    )
    bounds = np.searchsorted(ranked_class, np.arange(n_classes + 1))
    per_class = {
        class_id: voc_average_precision(tp[bounds[c] : bounds[c + 1]], int(n_gt_per_class[c]))
        for c, class_id in enumerate(classes)
    }
    # The reference takes nanmean over an array indexed by id - 1 (NaN where no AP), whose
    # summation order can differ in the last bit from a mean over the present values only.
    by_id = np.full(max([0, *classes]), np.nan)
    for class_id, value in per_class.items():
        if class_id >= 1:
            by_id[class_id - 1] = value
    present = ~np.isnan(by_id)
    mean = float(np.nanmean(by_id)) if present.any() else math.nan
    return FrameApResult(map=mean, per_class=per_class, n_gt=int(gt_rows.size), n_det=int(ranked.size))


def evaluate_frame_ap_files(
    label_map_path: str | Path,
    gt_path: str | Path,
    det_path: str | Path,
    excluded_path: str | Path | None = None,
    cap: int | None = 50,
    *,
    unannotated: Unannotated = "false_positive",
) -> FrameApResult:
    """Read a label map, ground-truth and detection CSVs (and excluded timestamps) and evaluate."""
    class_ids = [entry.id for entry in read_label_map(label_map_path)]
    gt = read_ava_arrays(gt_path, kind="gt")
    detections = read_ava_arrays(det_path, kind="detections")
    excluded = read_excluded_timestamps(excluded_path) if excluded_path is not None else None
    return frame_ap(gt, detections, class_ids, cap=cap, excluded=excluded, unannotated=unannotated)
