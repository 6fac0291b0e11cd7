"""The simulated person detector: measured recall and precision near the configured values."""

from __future__ import annotations

import numpy as np
import pytest

from wsad_core.synthetic import get_preset, simulate_detections, simulate_video
from wsad_core.synthetic.detector import box_iou


def match(scene, detections, people=None) -> tuple[int, int, int]:
    """(true positives, false positives, ground-truth boxes): greedy by score, IoU >= 0.5,
    against every person or only ``people``."""
    tp = fp = 0
    by_frame: dict[int, list] = {}
    for detection in detections:
        by_frame.setdefault(detection.frame, []).append(detection)
    counted = np.zeros(len(scene.figures), bool)
    counted[list(range(len(scene.figures)) if people is None else people)] = True
    visible = scene.visible & counted
    for frame in range(scene.nframes):
        truth = scene.boxes[frame][visible[frame]]
        free = np.ones(len(truth), bool)
        for detection in sorted(by_frame.get(frame, []), key=lambda d: -d.score):
            iou = np.where(free, box_iou(np.array(detection.box), truth)[0], -1.0) if len(truth) else np.zeros(0)
            if iou.size and iou.max() >= 0.5:
                free[int(iou.argmax())] = False
                tp += 1
            else:
                fp += 1
    return tp, fp, int(visible.sum())


@pytest.mark.parametrize(("recall", "precision"), [(0.7, 0.5), (0.9, 0.8)])
def test_measured_recall_and_precision_are_near_the_configured_ones(recall: float, precision: float) -> None:
    config = get_preset("tiny")
    totals = np.zeros(3)
    for seed in range(30):
        scene = simulate_video(config, seed)
        found = simulate_detections(scene, np.random.default_rng(1000 + seed), recall=recall, precision=precision)
        totals += match(scene, found)
    tp, fp, gt = totals
    print(f"\nconfigured recall {recall} precision {precision}: measured {tp / gt:.3f} {tp / (tp + fp):.3f}")
    assert tp / gt == pytest.approx(recall, abs=0.06)
    assert tp / (tp + fp) == pytest.approx(precision, abs=0.06)


def test_a_detector_tuned_on_the_annotations_finds_the_actors_and_no_bystander() -> None:
    config = get_preset("tiny")
    totals, bystanders = np.zeros(3), 0
    for seed in range(40):
        scene = simulate_video(config, seed)
        actors = [p for p, figure in enumerate(scene.figures) if not figure.bystander]
        bystanders += len(scene.figures) - len(actors)
        found = simulate_detections(scene, np.random.default_rng(seed), recall=0.9, precision=0.9, actors_only=True)
        assert {d.person_id for d in found} <= {*actors, None}
        totals += match(scene, found, actors)
    tp, fp, gt = totals
    assert bystanders > 5  # the worlds drawn had bystanders to leave out
    assert tp / gt == pytest.approx(0.9, abs=0.06) and tp / (tp + fp) == pytest.approx(0.9, abs=0.06)


def test_tracks_break_boxes_jitter_and_true_boxes_score_higher() -> None:
    scene = simulate_video(get_preset("demo"), 3)
    found = simulate_detections(scene, np.random.default_rng(0))
    for detection in found:
        x1, y1, x2, y2 = detection.box
        assert 0 <= x1 < x2 <= scene.width and 0 <= y1 < y2 <= scene.height and 0 < detection.score < 1
    true = [d for d in found if d.person_id is not None]
    false = [d for d in found if d.person_id is None]
    assert true and false
    assert np.mean([d.score for d in true]) > np.mean([d.score for d in false]) + 0.15
    assert any(d.box != tuple(scene.boxes[d.frame, d.person_id]) for d in true)
    # Some person is found, lost for a run of frames while visible, and found again.
    broken = False
    for person in range(len(scene.figures)):
        hits = np.zeros(scene.nframes, bool)
        hits[[d.frame for d in true if d.person_id == person]] = True
        if hits.any():
            first, last = np.flatnonzero(hits)[[0, -1]]
            broken |= bool((scene.visible[first:last, person] & ~hits[first:last]).any())
    assert broken


def test_detections_are_deterministic() -> None:
    scene = simulate_video(get_preset("tiny"), 2)
    assert simulate_detections(scene, np.random.default_rng(4)) == simulate_detections(scene, np.random.default_rng(4))
