"""AVA frame AP: one hand-computed case per protocol rule, a brute-force cross-check, properties."""

from __future__ import annotations

import heapq
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsad_core.evaluate import AvaArrays, evaluate_frame_ap_files, frame_ap, voc_average_precision
from wsad_core.formats import AvaRow, LabelMapEntry, write_ava_csv, write_label_map

BOX_A = (0.0, 0.0, 0.4, 1.0)
BOX_B = (0.5, 0.0, 0.9, 1.0)
FAR = (0.9, 0.9, 1.0, 1.0)


def gt_rows(*rows: tuple) -> AvaArrays:
    """Ground truth from ``(video, time, box, action)`` tuples; ``box=None`` is a two-column row."""
    return AvaArrays.from_rows(AvaRow(v, float(t), box, action) for v, t, box, action in rows)


def det_rows(*rows: tuple) -> AvaArrays:
    """Detections from ``(video, time, box, action, score)`` tuples."""
    return AvaArrays.from_rows(AvaRow(v, float(t), box, a, score=s) for v, t, box, a, s in rows)


def test_voc_ap_of_a_small_curve_uses_the_non_increasing_envelope() -> None:
    # TP FP TP FP TP with 4 boxes: precision 1, 1/2, 2/3, 1/2, 3/5 at recall 1/4 .. 3/4; the
    # envelope is 1, 2/3, 3/5 where recall rises, so AP = (1 + 2/3 + 3/5) / 4.
    ap = voc_average_precision(np.array([1, 0, 1, 0, 1], dtype=bool), 4)
    assert ap == pytest.approx((1 + 2 / 3 + 3 / 5) / 4, abs=1e-12)
    assert voc_average_precision(np.zeros(0, dtype=bool), 3) == 0.0
    assert math.isnan(voc_average_precision(np.zeros(2, dtype=bool), 0))


def test_duplicate_is_a_false_positive_even_when_another_box_is_free() -> None:
    # GT boxes g1 = A and g2 = A shifted by 0.1 (IoU 0.6). d2 repeats g1: its best box (IoU 1)
    # is taken, so it is a false positive although g2 (IoU 0.6) is free. TP FP TP → 5/6.
    shifted = (0.1, 0.0, 0.5, 1.0)
    gt = gt_rows(("v", 902, BOX_A, 1), ("v", 902, shifted, 1))
    det = det_rows(("v", 902, BOX_A, 1, 0.9), ("v", 902, BOX_A, 1, 0.8), ("v", 902, shifted, 1, 0.7))
    result = frame_ap(gt, det, [1])
    assert result.per_class[1] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert (result.n_gt, result.n_det) == (2, 3)


def test_iou_threshold_is_inclusive_and_without_plus_one() -> None:
    # Detection (0, 0, 0.5, 1) vs GT (0, 0, 0.25, 1) → IoU exactly 0.5 in normalised units.
    gt = gt_rows(("v", 902, (0.0, 0.0, 0.25, 1.0), 1))
    assert frame_ap(gt, det_rows(("v", 902, (0.0, 0.0, 0.5, 1.0), 1, 0.9)), [1]).map == 1.0
    assert frame_ap(gt, det_rows(("v", 902, (0.0, 0.0, 0.5000001, 1.0), 1, 0.9)), [1]).map == 0.0


def test_cap_keeps_the_50_best_rows_per_keyframe_over_all_classes() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1))
    rows = [("v", 902, FAR, 1 + (i % 2), 0.9 - i * 0.01) for i in range(50)]
    rows.append(("v", 902, BOX_A, 1, 0.05))  # the only true positive, 51st by score
    det = det_rows(*rows)
    capped = frame_ap(gt, det, [1, 2])
    assert capped.per_class[1] == 0.0 and capped.n_det == 50
    uncapped = frame_ap(gt, det, [1, 2], cap=None)
    assert uncapped.per_class[1] == pytest.approx(1 / 26)  # 25 FPs of class 1 rank above it
    assert uncapped.n_det == 51


def test_cap_counts_only_label_map_classes() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1))
    det = det_rows(("v", 902, FAR, 99, 0.99), ("v", 902, BOX_A, 1, 0.5))
    assert frame_ap(gt, det, [1], cap=1).map == 1.0


def test_cap_ties_follow_the_reference_heap() -> None:
    # Cap 2: rows (0.5, action 2), (0.5, action 1), (0.9, action 3). The heap evicts the
    # smallest (score, action, ...) tuple when 0.9 arrives: action 1, not the later row.
    gt = gt_rows(("v", 902, BOX_A, 1), ("v", 902, BOX_A, 2), ("v", 902, BOX_A, 3))
    det = det_rows(("v", 902, BOX_A, 2, 0.5), ("v", 902, BOX_A, 1, 0.5), ("v", 902, BOX_A, 3, 0.9))
    result = frame_ap(gt, det, [1, 2, 3], cap=2)
    assert result.per_class == {1: 0.0, 2: 1.0, 3: 1.0}


def test_detections_on_keyframes_without_ground_truth() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1), ("v", 903, None, None))
    on_gt = ("v", 902, BOX_A, 1, 0.5)
    unannotated = ("v", 904, BOX_A, 1, 0.9)
    nobody_acts = ("v", 903, BOX_A, 1, 0.8)
    # ActivityNet's evaluator counts them as false positives (the default): FP, TP → 1/2.
    assert frame_ap(gt, det_rows(on_gt, unannotated), [1]).map == 0.5
    # MMAction2 ignores them.
    assert frame_ap(gt, det_rows(on_gt, unannotated), [1], unannotated="ignore").map == 1.0
    # A two-column row marks an annotated keyframe: detections there are false positives.
    assert frame_ap(gt, det_rows(on_gt, nobody_acts), [1]).map == 0.5


def test_ground_truth_of_other_classes_does_not_annotate_a_keyframe() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1), ("v", 903, BOX_A, 99))
    det = det_rows(("v", 902, BOX_A, 1, 0.5), ("v", 903, BOX_A, 1, 0.9))
    # Keyframe 903 stays unannotated: ignored when asked, a false positive by default.
    assert frame_ap(gt, det, [1], unannotated="ignore").map == 1.0
    assert frame_ap(gt, det, [1]).map == 0.5


def test_classes_outside_the_label_map_are_dropped() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1), ("v", 902, BOX_B, 7))
    det = det_rows(("v", 902, BOX_A, 1, 0.9), ("v", 902, BOX_B, 7, 0.8))
    result = frame_ap(gt, det, [1])
    assert result.per_class == {1: 1.0}
    assert (result.n_gt, result.n_det) == (1, 1)


def test_classes_without_ground_truth_are_nan_and_left_out_of_the_mean() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1), ("v", 902, BOX_B, 2))
    det = det_rows(("v", 902, BOX_A, 1, 0.9), ("v", 902, BOX_A, 3, 0.8))
    result = frame_ap(gt, det, [1, 2, 3])
    assert result.per_class[1] == 1.0 and result.per_class[2] == 0.0
    assert math.isnan(result.per_class[3])
    assert result.map == 0.5
    assert result.to_json() == {"mAP": 0.5, "per_class": {"1": 1.0, "2": 0.0, "3": None}, "n_gt": 2, "n_det": 2}


def test_excluded_timestamps_drop_ground_truth_and_detections() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1), ("v", 903, BOX_A, 1))
    det = det_rows(("v", 902, BOX_A, 1, 0.5), ("v", 903, FAR, 1, 0.9))
    assert frame_ap(gt, det, [1]).map == pytest.approx(0.25)  # FP TP over 2 boxes
    result = frame_ap(gt, det, [1], excluded={("v", 903.0)})
    assert result.map == 1.0 and result.n_gt == 1 and result.n_det == 1


def test_degenerate_detections_are_dropped_after_the_cap() -> None:
    gt = gt_rows(("v", 902, BOX_A, 1))
    det = det_rows(("v", 902, (0.2, 0.2, 0.2, 0.6), 1, 0.9), ("v", 902, BOX_A, 1, 0.5))
    assert frame_ap(gt, det, [1]).map == 1.0
    assert frame_ap(gt, det, [1], cap=1).map == 0.0


def test_empty_inputs() -> None:
    empty = AvaArrays.from_rows([])
    gt = gt_rows(("v", 902, BOX_A, 1))
    assert math.isnan(frame_ap(empty, empty, [1]).map)
    assert frame_ap(gt, empty, [1]).to_json() == {"mAP": 0.0, "per_class": {"1": 0.0}, "n_gt": 1, "n_det": 0}
    assert frame_ap(gt, det_rows(("v", 902, BOX_A, 1, 0.5)), []).per_class == {}


def test_files_end_to_end(tmp_path: Path) -> None:
    write_label_map([LabelMapEntry(1, "a"), LabelMapEntry(2, "b")], tmp_path / "labels.pbtxt")
    write_ava_csv([AvaRow("v", 902.0, BOX_A, 1, person_id=0), AvaRow("v", 903.0, BOX_B, 2, person_id=0)],
                  tmp_path / "gt.csv")
    write_ava_csv([AvaRow("v", 902.0, BOX_A, 1, score=0.9), AvaRow("v", 903.0, BOX_A, 2, score=0.8)],
                  tmp_path / "det.csv")
    (tmp_path / "excluded.csv").write_text("v,0903\n")
    result = evaluate_frame_ap_files(tmp_path / "labels.pbtxt", tmp_path / "gt.csv", tmp_path / "det.csv")
    assert result.per_class == {1: 1.0, 2: 0.0}
    excluded = evaluate_frame_ap_files(
        tmp_path / "labels.pbtxt", tmp_path / "gt.csv", tmp_path / "det.csv", tmp_path / "excluded.csv"
    )
    assert excluded.per_class[1] == 1.0 and math.isnan(excluded.per_class[2])


def brute_force(gt: list[tuple], det: list[tuple], classes: list[int], cap: int | None) -> dict[int, float]:
    """The protocol written the slow, obvious way: per keyframe, per class, per detection."""
    by_key: dict[tuple, list] = {}
    for v, t, box, a in gt:
        if a in classes:
            by_key.setdefault((v, t), []).append((box, a))
    kept: dict[tuple, list] = {}
    for order, (v, t, box, a, s) in enumerate(det):
        if a not in classes:
            continue
        heap = kept.setdefault((v, t), [])
        entry = (s, a, box[1], box[0], box[3], box[2], order)
        if cap is None or len(heap) < cap:
            heapq.heappush(heap, entry)
        elif s > heap[0][0]:
            heapq.heapreplace(heap, entry)
    results: dict[int, list] = {c: [] for c in classes}
    for key, entries in kept.items():
        # A keyframe without ground truth of an evaluated class has no box to match: its
        # detections are false positives (ActivityNet's evaluator, frame_ap's default).
        entries = sorted(entries, key=lambda e: (-e[0], e[-1]))
        for c in classes:
            boxes = [b for b, a in by_key.get(key, []) if a == c]
            taken = [False] * len(boxes)
            for s, a, y1, x1, y2, x2, order in entries:
                if a != c or x1 >= x2 or y1 >= y2:
                    continue
                ious = []
                for bx1, by1, bx2, by2 in boxes:
                    inter = max(0.0, min(y2, by2) - max(y1, by1)) * max(0.0, min(x2, bx2) - max(x1, bx1))
                    ious.append(inter / ((y2 - y1) * (x2 - x1) + (by2 - by1) * (bx2 - bx1) - inter))
                tp = False
                if ious:
                    best = int(np.argmax(ious))
                    if ious[best] >= 0.5 and not taken[best]:
                        taken[best] = tp = True
                results[c].append((s, order, tp))
    aps = {}
    for c in classes:
        n_gt = sum(1 for boxes in by_key.values() for _, a in boxes if a == c)
        ranked = sorted(results[c], key=lambda r: (-r[0], r[1]))
        aps[c] = voc_average_precision(np.array([r[2] for r in ranked], dtype=bool), n_gt)
    return aps


coord = st.integers(0, 10).map(lambda k: k / 10)
box = st.tuples(coord, coord, coord, coord).map(lambda b: (min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])))
keyframe = st.tuples(st.sampled_from(["v1", "v2"]), st.integers(902, 904).map(float))
gt_strategy = st.lists(st.tuples(keyframe, box, st.integers(1, 4)).map(lambda r: (*r[0], r[1], r[2])), max_size=12)


@settings(max_examples=40, deadline=None)
@given(gt=gt_strategy, data=st.data(), cap=st.sampled_from([None, 2, 50]))
def test_matches_brute_force(gt: list[tuple], data: st.DataObject, cap: int | None) -> None:
    det = data.draw(st.lists(st.tuples(keyframe, box, st.integers(1, 4), st.integers(0, 5).map(lambda k: k / 5))
                             .map(lambda r: (*r[0], r[1], r[2], r[3])), max_size=25))
    classes = [1, 2, 3]
    expected = brute_force(gt, det, classes, cap)
    result = frame_ap(gt_rows(*gt), det_rows(*det), classes, cap=cap)
    assert result.per_class.keys() == expected.keys()
    for c in classes:
        assert (math.isnan(result.per_class[c]) and math.isnan(expected[c])) or result.per_class[c] == expected[c]


def distinct_scores(n: int) -> st.SearchStrategy[list[float]]:
    return st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True).map(lambda ks: [k / 10_000 for k in ks])


@settings(max_examples=30, deadline=None)
@given(gt=st.lists(st.tuples(keyframe, box, st.integers(1, 4)).map(lambda r: (*r[0], r[1], r[2])), min_size=1, max_size=12),
       data=st.data())
def test_perfect_detections_give_ap_one(gt: list[tuple], data: st.DataObject) -> None:
    # Identical boxes of one class on one keyframe cannot both be matched: every detection
    # takes the first box of highest IoU, as in the reference.
    gt = list(dict.fromkeys(row for row in gt if row[2][0] < row[2][2] and row[2][1] < row[2][3]))
    if not gt:
        return
    scores = data.draw(distinct_scores(len(gt)))
    det = [(v, t, b, a, s) for (v, t, b, a), s in zip(gt, scores)]
    result = frame_ap(gt_rows(*gt), det_rows(*det), [1, 2, 3, 4], cap=None)
    assert all(ap == 1.0 for ap in result.per_class.values() if not math.isnan(ap))
    assert result.map == 1.0


@settings(max_examples=30, deadline=None)
@given(gt=gt_strategy, data=st.data())
def test_row_order_and_monotone_score_changes_change_nothing(gt: list[tuple], data: st.DataObject) -> None:
    det = data.draw(st.lists(st.tuples(keyframe, box, st.integers(1, 4)).map(lambda r: (*r[0], r[1], r[2])), max_size=20))
    scores = data.draw(distinct_scores(len(det)))
    det = [(*row, s) for row, s in zip(det, scores)]
    permutation = data.draw(st.permutations(range(len(det))))
    shuffled = [det[i] for i in permutation]
    squashed = [(*row[:4], row[4] ** 3 / 7 + 2) for row in det]
    gt_permutation = data.draw(st.permutations(range(len(gt))))
    base = frame_ap(gt_rows(*gt), det_rows(*det), [1, 2, 3], cap=3)
    for other_gt, other_det in ((gt, shuffled), ([gt[i] for i in gt_permutation], det), (gt, squashed)):
        other = frame_ap(gt_rows(*other_gt), det_rows(*other_det), [1, 2, 3], cap=3)
        assert other.to_json() == base.to_json()
