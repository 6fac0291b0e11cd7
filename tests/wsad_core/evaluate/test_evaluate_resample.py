"""Resampling the evaluated videos: each draw is scored as if its copies were distinct videos."""

from __future__ import annotations

import numpy as np
import pytest

from wsad_core.evaluate import AvaArrays, frame_ap
from wsad_core.evaluate.resample import bootstrap_frame_ap, resample_videos
from wsad_core.formats import AvaRow

BOX = (0.0, 0.0, 0.4, 1.0)
OTHER = (0.5, 0.0, 0.9, 1.0)


def _world() -> tuple[list[AvaRow], list[AvaRow], list[AvaRow]]:
    """Three videos; model ``good`` finds every person, ``poor`` misranks and mislocates some."""
    gt, good, poor = [], [], []
    for v, video in enumerate(("a", "b", "c")):
        for t in (902, 903):
            gt += [AvaRow(video, t, BOX, 1), AvaRow(video, t, OTHER, 2)]
            good += [AvaRow(video, t, BOX, 1, score=0.9), AvaRow(video, t, OTHER, 2, score=0.8),
                     AvaRow(video, t, OTHER, 1, score=0.1)]
            e = 0.001 * (t - 902)  # no tied scores: their order would depend on the videos' order
            poor += [AvaRow(video, t, BOX, 1, score=0.3 + 0.1 * v + e),
                     AvaRow(video, t, OTHER, 1, score=0.45 + 0.01 * v + e),
                     AvaRow(video, t, BOX, 2, score=0.1 + 0.2 * v + e)]
    return gt, good, poor


def test_drawing_every_video_once_scores_as_the_split_does():
    gt, good, poor = (AvaArrays.from_rows(rows) for rows in _world())
    draw = ["c", "a", "b"]
    for detections in (good, poor):
        assert frame_ap(resample_videos(gt, draw), resample_videos(detections, draw), [1, 2]).map == pytest.approx(
            frame_ap(gt, detections, [1, 2]).map, abs=1e-12)


def test_a_video_drawn_twice_counts_as_two_videos():
    gt_rows, _, poor_rows = _world()
    draw = ["c", "c", "a"]
    by_hand = [(AvaRow(f"{video}{copy}", r.timestamp, r.box, r.action_id, score=r.score), r.video_id)
               for copy, video in enumerate(draw) for r in poor_rows if r.video_id == video]
    gt_by_hand = [AvaRow(f"{video}{copy}", r.timestamp, r.box, r.action_id)
                  for copy, video in enumerate(draw) for r in gt_rows if r.video_id == video]
    resampled = resample_videos(AvaArrays.from_rows(poor_rows), draw)
    assert resampled.video_ids == ("0:c", "1:c", "2:a") and len(resampled) == len(by_hand)
    expected = frame_ap(AvaArrays.from_rows(gt_by_hand), AvaArrays.from_rows(r for r, _ in by_hand), [1, 2]).map
    got = frame_ap(resample_videos(AvaArrays.from_rows(gt_rows), draw), resampled, [1, 2]).map
    assert got == pytest.approx(expected, abs=1e-12) and 0 < got < 1


def test_bootstrap_draws_are_shared_by_the_models():
    gt, good, poor = (AvaArrays.from_rows(rows) for rows in _world())
    scores = bootstrap_frame_ap(gt, {"good": good, "same": good, "poor": poor}, [1, 2], resamples=25, seed=3)
    assert {name: values.shape for name, values in scores.items()} == {"good": (25,), "same": (25,), "poor": (25,)}
    assert np.array_equal(scores["good"], scores["same"])
    assert (scores["good"] == 1.0).all()
    assert scores["poor"].std() > 0  # the draws differ, and the poor model's AP depends on them
    again = bootstrap_frame_ap(gt, {"poor": poor}, [1, 2], resamples=25, seed=3)
    assert np.array_equal(again["poor"], scores["poor"])


def test_bootstrap_refuses_nothing_to_draw():
    gt, good, _ = (AvaArrays.from_rows(rows) for rows in _world())
    with pytest.raises(ValueError, match="resamples"):
        bootstrap_frame_ap(gt, {"good": good}, [1], resamples=0)
    with pytest.raises(ValueError, match="no video"):
        bootstrap_frame_ap(AvaArrays.from_rows([]), {"good": good}, [1])
