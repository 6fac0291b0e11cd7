"""UCF101-24 video AP as ACT computes it: ST-IoU, 3D NMS, greedy matching, trapezoid AP."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wsad_core.evaluate import (
    DetectedTube,
    GtTube,
    ground_truth_from_ucf24,
    nms_3d,
    spatio_temporal_iou,
    trapezoid_average_precision,
    video_ap,
    video_ap_range,
)
from wsad_core.formats import UcfAnnotations, UcfTube, UcfVideo


def tube(first: int, last: int, box: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    frames = np.arange(first, last + 1)
    return frames, np.tile(np.array(box, dtype=np.float64), (frames.size, 1))


def det(video: str, label: int, score: float, first: int, last: int, box: tuple) -> DetectedTube:
    return DetectedTube(video, label, score, *tube(first, last, box))


def gt_tube(label: int, first: int, last: int, box: tuple) -> GtTube:
    return GtTube(label, *tube(first, last, box))


def test_st_iou_uses_the_plus_one_convention_and_frame_spans() -> None:
    # Boxes 10x10 pixels with +1: (0,0,9,9) and (5,0,14,9) overlap 5x10 → 50 / 150 = 1/3.
    # Frames 0..3 and 2..5: 2 shared of 6 → 1/3. ST-IoU = 1/9.
    a = tube(0, 3, (0, 0, 9, 9))
    b = tube(2, 5, (5, 0, 14, 9))
    assert spatio_temporal_iou(*a, *b) == pytest.approx(1 / 9)
    assert spatio_temporal_iou(*a, *a) == 1.0
    assert spatio_temporal_iou(*a, *tube(4, 6, (0, 0, 9, 9))) == 0.0
    # Touching boxes overlap by one pixel column under +1: (0..9) and (9..18) → 10 / 190.
    assert spatio_temporal_iou(*tube(0, 0, (0, 0, 9, 9)), *tube(0, 0, (9, 0, 18, 9))) == pytest.approx(10 / 190)


def test_st_iou_averages_over_the_shared_frames_only() -> None:
    frames_a, boxes_a = tube(0, 1, (0, 0, 9, 9))
    boxes_b = boxes_a.copy()
    boxes_b[1] = (5, 0, 14, 9)  # second frame IoU 1/3
    assert spatio_temporal_iou(frames_a, boxes_a, frames_a, boxes_b) == pytest.approx((1 + 1 / 3) / 2)


def test_nms_3d_suppresses_above_the_threshold_only() -> None:
    tubes = [
        det("v", 0, 0.8, 0, 9, (0, 0, 9, 9)),
        det("v", 0, 0.9, 0, 9, (1, 0, 10, 9)),  # best: IoU with the first 90/110 > 0.3
        det("v", 0, 0.7, 20, 29, (0, 0, 9, 9)),  # disjoint in time
        det("v", 0, 0.6, 0, 9, (5, 0, 14, 9)),  # IoU 60/140 with the best: kept only at 0.5
    ]
    assert spatio_temporal_iou(tubes[1].frames, tubes[1].boxes, tubes[3].frames, tubes[3].boxes) == pytest.approx(60 / 140)
    assert nms_3d(tubes) == [1, 2]
    assert nms_3d(tubes, 0.5) == [1, 2, 3]


def test_trapezoid_ap_starts_at_recall_zero_precision_one() -> None:
    # Curve TP FP TP over 2 tubes: (r, p) = (0, 1), (.5, 1), (.5, .5), (1, 2/3).
    precision = np.array([1.0, 0.5, 2 / 3])
    recall = np.array([0.5, 0.5, 1.0])
    expected = 0.5 * (1 + 1) / 2 + 0.0 + 0.5 * (0.5 + 2 / 3) / 2
    assert trapezoid_average_precision(precision, recall) == pytest.approx(expected, abs=1e-6)
    # A false positive first: (0, 1) → (0, 0) → (1, .5): 0 + (1 * .5 / 2).
    assert trapezoid_average_precision(np.array([0.0, 0.5]), np.array([0.0, 1.0])) == 0.25


def test_greedy_matching_takes_the_best_remaining_tube() -> None:
    gt = {"v": [gt_tube(0, 0, 9, (0, 0, 9, 9)), gt_tube(0, 0, 9, (2, 0, 11, 9))]}
    # Both detections prefer the first tube; the second detection takes the second (IoU 0.75 / 0.67).
    dets = [det("v", 0, 0.9, 0, 9, (0, 0, 9, 9)), det("v", 0, 0.8, 0, 9, (0, 0, 9, 9))]
    assert video_ap(gt, dets, [0], 0.5, nms=None).map == 1.0
    # A duplicate with no tube left is a false positive: TP TP FP → AP 1 (recall is already 1).
    three = [*dets, det("v", 0, 0.7, 0, 9, (0, 0, 9, 9))]
    assert video_ap(gt, three, [0], 0.5, nms=None).map == pytest.approx(1.0)
    # One tube only: TP then FP, (0, 1), (1, 1), (1, .5) → 1.
    one = {"v": [gt_tube(0, 0, 9, (0, 0, 9, 9))]}
    assert video_ap(one, dets, [0], 0.5, nms=None).map == 1.0
    # A miss ranked first: FP TP → 0.25.
    miss_first = [det("v", 0, 0.95, 0, 9, (50, 50, 59, 59)), dets[0]]
    assert video_ap(one, miss_first, [0], 0.5, nms=None).map == 0.25


def test_detections_only_match_tubes_of_their_video_and_class() -> None:
    gt = {"v": [gt_tube(0, 0, 9, (0, 0, 9, 9))], "w": [gt_tube(1, 0, 9, (0, 0, 9, 9))]}
    dets = [det("w", 0, 0.9, 0, 9, (0, 0, 9, 9)), det("v", 1, 0.8, 0, 9, (0, 0, 9, 9))]
    result = video_ap(gt, dets, [0, 1])
    assert result.per_class == {0: 0.0, 1: 0.0}


def test_perfect_detections_and_nan_classes() -> None:
    gt = {
        "v": [gt_tube(0, 0, 9, (0, 0, 9, 9)), gt_tube(0, 30, 39, (0, 0, 9, 9))],
        "w": [gt_tube(2, 5, 20, (10, 10, 40, 60))],
    }
    dets = [
        DetectedTube(video, t.label, score, t.frames, t.boxes)
        for (video, tubes), score in zip(gt.items(), (0.5, 0.7))
        for t in tubes
    ]
    result = video_ap(gt, dets, [0, 1, 2])
    assert result.per_class[0] == 1.0 and result.per_class[2] == 1.0
    assert math.isnan(result.per_class[1])
    assert result.map == 1.0
    ranged = video_ap_range(gt, dets, [0, 1, 2])
    assert len(ranged.per_threshold) == 10
    assert min(ranged.per_threshold) == 0.5 and max(ranged.per_threshold) == 0.95
    assert ranged.map == 1.0


def test_threshold_range_averages_the_maps() -> None:
    gt = {"v": [gt_tube(0, 0, 9, (0, 0, 9, 9))]}
    dets = [det("v", 0, 0.9, 0, 9, (1, 0, 10, 9))]  # ST-IoU 90/110 ≈ 0.818
    ranged = video_ap_range(gt, dets, [0], thresholds=[0.5, 0.8, 0.85, 0.9])
    assert [r.map for r in ranged.per_threshold.values()] == [1.0, 1.0, 0.0, 0.0]
    assert ranged.map == 0.5


def test_range_thresholds_are_the_decimal_values_not_arange_drift() -> None:
    # Frames 0..5 of a 0..9 tube, same boxes: ST-IoU 6/10 = 0.6 exactly, while
    # np.arange(0.5, 0.96, 0.05)[2] is 0.6000000000000001.
    gt = {"v": [gt_tube(0, 0, 9, (0, 0, 9, 9))]}
    dets = [det("v", 0, 0.9, 0, 5, (0, 0, 9, 9))]
    ranged = video_ap_range(gt, dets, [0])
    assert ranged.per_threshold[0.6].map == 1.0 and ranged.per_threshold[0.65].map == 0.0
    assert ranged.map == pytest.approx(0.3)


def test_ground_truth_from_ucf24_keeps_the_split() -> None:
    frames = np.arange(3, dtype=np.int64)
    boxes = np.zeros((3, 4))
    annotations = UcfAnnotations(
        labels=["a", "b"],
        videos={
            "a/v1": UcfVideo("a/v1", 0, 10, 320, 240, "test", [UcfTube(0, frames, boxes)]),
            "b/v2": UcfVideo("b/v2", 1, 10, 320, 240, "train", [UcfTube(1, frames, boxes)]),
        },
        source_format="act",
    )
    gt = ground_truth_from_ucf24(annotations)
    assert list(gt) == ["a/v1"] and gt["a/v1"][0].label == 0
    assert set(ground_truth_from_ucf24(annotations, split=None)) == {"a/v1", "b/v2"}


def test_tubes_need_one_box_per_frame() -> None:
    with pytest.raises(ValueError):
        video_ap({}, [DetectedTube("v", 0, 1.0, np.arange(3), np.zeros((2, 4)))], [0])
