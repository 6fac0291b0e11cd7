"""ACT's greedy tube linking, rule by rule, on hand-built tubelets.

Boxes are pixel ``x1, y1, x2, y2`` with ACT's +1 convention: ``(0, 0, 9, 9)`` is 10x10.
"""

from __future__ import annotations

import numpy as np
import pytest

from wsad_core.tubes.action_tubes import ScoredTubelet
from wsad_core.tubes.linking import link_action_tubes, link_video_tubes

X = (0, 0, 9, 9)
FAR = (100, 100, 109, 109)
ALL = dict(min_length=1, min_score=0.0)


def tubelet(start, boxes, score, *, k=None, video="v", uncertainty=None, track=0):
    """A tubelet from ``start``; ``boxes`` is one box (repeated ``k`` times) or a list of boxes."""
    if isinstance(boxes[0], (int, float)):
        boxes = [boxes] * (k or 1)
    scores = np.atleast_1d(np.asarray(score, dtype=np.float64))
    unc = None if uncertainty is None else np.atleast_1d(np.asarray(uncertainty, dtype=np.float64))
    return ScoredTubelet(
        video, track, np.arange(start, start + len(boxes)), np.asarray(boxes, dtype=np.float64), scores, unc
    )


def spans(tubes):
    return sorted((int(t.frames[0]), int(t.frames[-1])) for t in tubes)


def test_a_dense_chain_becomes_one_tube_scored_by_its_mean_tubelet_score() -> None:
    tubelets = [tubelet(s, X, 0.2 + 0.1 * (s % 2), k=3) for s in range(13)]
    (tube,) = link_action_tubes(tubelets, 1)
    assert spans([tube]) == [(0, 14)]
    # Seven starts score 0.2 and six 0.3.
    assert tube.score == pytest.approx((7 * 0.2 + 6 * 0.3) / 13)
    assert np.allclose(tube.boxes, X)
    # Frame 0 is covered by tubelet 0 only (0.2), frame 1 by tubelets 0 and 1 (0.25).
    assert tube.frame_scores[:2] == pytest.approx([0.2, 0.25])
    assert tube.label_index == 0 and tube.video == "v"


def test_tubes_shorter_than_min_length_are_dropped() -> None:
    # Starts 0..11 with K=3 span frames 0..13: 14 frames < 15.
    tubelets = [tubelet(s, X, 0.5, k=3) for s in range(12)]
    assert link_action_tubes(tubelets, 1) == []
    assert spans(link_action_tubes(tubelets, 1, min_length=14)) == [(0, 13)]


def test_tubes_scoring_under_min_score_are_dropped() -> None:
    low = [tubelet(0, X, 0.005, k=20)]
    assert link_action_tubes(low, 1) == []
    assert len(link_action_tubes([tubelet(0, X, 0.01, k=20)], 1)) == 1
    assert len(link_action_tubes(low, 1, min_score=0.001)) == 1


def test_tubelet_nms_drops_overlaps_above_threshold_using_the_mean_over_frames() -> None:
    # With +1: (0,0,9,9) vs (5,0,14,9) → 50/150 = 1/3 > 0.3, suppressed;
    # vs (6,0,15,9) → 40/160 = 0.25, kept.
    suppressed = [tubelet(0, X, 0.9), tubelet(0, (5, 0, 14, 9), 0.8)]
    assert len(link_action_tubes(suppressed, 1, **ALL)) == 1
    kept = [tubelet(0, X, 0.9), tubelet(0, (6, 0, 15, 9), 0.8)]
    assert len(link_action_tubes(kept, 1, **ALL)) == 2
    # Same box on one frame, disjoint on the others: mean IoU 1/2 (K=2) is suppressed,
    # 1/4 (K=4) is not.
    two = [tubelet(0, [X, X], 0.9), tubelet(0, [X, FAR], 0.8)]
    assert len(link_action_tubes(two, 1, **ALL)) == 1
    four = [tubelet(0, [X, X, X, X], 0.9), tubelet(0, [X, FAR, FAR, FAR], 0.8)]
    assert len(link_action_tubes(four, 1, **ALL)) == 2
    # The suppressed one is the lower-scoring one, whatever the input order.
    (tube,) = link_action_tubes(suppressed[::-1], 1, **ALL)
    assert tube.score == 0.9


def test_tubelet_nms_keeps_the_top_k_per_frame() -> None:
    tubelets = [tubelet(0, (20 * i, 0, 20 * i + 9, 9), 0.01 * (i + 1)) for i in range(12)]
    tubes = link_action_tubes(tubelets, 1, **ALL)
    assert sorted(round(t.score, 2) for t in tubes) == [round(0.01 * i, 2) for i in range(3, 13)]
    assert len(link_action_tubes(tubelets, 1, top_k=3, **ALL)) == 3


def test_link_needs_overlap_of_at_least_link_iou() -> None:
    # K=1: the tube's last box against the candidate's first box.
    # (0,0,9,9) vs (6,0,15,9): 40/160 = 0.25 links; vs (7,0,16,9): 30/170 ≈ 0.176 does not.
    linked = link_action_tubes([tubelet(0, X, 0.5), tubelet(1, (6, 0, 15, 9), 0.5)], 1, **ALL)
    assert spans(linked) == [(0, 1)]
    apart = link_action_tubes([tubelet(0, X, 0.5), tubelet(1, (7, 0, 16, 9), 0.5)], 1, **ALL)
    assert spans(apart) == [(0, 0), (1, 1)]
    assert spans(link_action_tubes([tubelet(0, X, 0.5), tubelet(1, (6, 0, 15, 9), 0.5)], 1, link_iou=0.3, **ALL)) == [
        (0, 0),
        (1, 1),
    ]


def test_the_best_scoring_valid_candidate_is_linked_not_the_best_overlapping() -> None:
    # Against X: (-3,0,6,9) overlaps 70/130 ≈ 0.54, (4,0,13,9) 60/140 ≈ 0.43; the two
    # overlap each other by 30/170, so NMS keeps both.
    tubelets = [tubelet(0, X, 0.5), tubelet(1, (-3, 0, 6, 9), 0.6), tubelet(1, (4, 0, 13, 9), 0.9)]
    tubes = link_action_tubes(tubelets, 1, **ALL)
    assert spans(tubes) == [(0, 1), (1, 1)]
    long = next(t for t in tubes if len(t.frames) == 2)
    assert long.score == pytest.approx(0.7)
    assert tuple(long.boxes[1]) == (4, 0, 13, 9)


def test_live_tubes_choose_by_descending_mean_score() -> None:
    # Tube A starts on frame 0 at (7,0,16,9) scoring 0.4; tube B on frame 1 at X scoring 0.9
    # (A does not link it: 30/170 < 0.2). Both overlap the one candidate of frame 2,
    # (3,0,12,9), by 60/140 and 70/130: B, the better tube though the younger, takes it.
    tubelets = [tubelet(0, (7, 0, 16, 9), 0.4), tubelet(1, X, 0.9), tubelet(2, (3, 0, 12, 9), 0.5)]
    tubes = link_action_tubes(tubelets, 1, **ALL)
    assert spans(tubes) == [(0, 0), (1, 2)]
    extended = next(t for t in tubes if len(t.frames) == 2)
    assert extended.score == pytest.approx(0.7)


def test_overlap_is_the_mean_over_shared_frames_when_starts_are_under_k_apart() -> None:
    # K=3, starts 0 and 1: shared frames 1 and 2 with IoUs 1 and 0 → 0.5, linked, although
    # the tube's last box (FAR) does not touch the candidate's first box.
    a = tubelet(0, [X, X, FAR], 0.5)
    c = tubelet(1, [X, X, X], 0.5)
    assert spans(link_action_tubes([a, c], 1, **ALL)) == [(0, 3)]
    # The reverse: last box equals the first box, but the shared frames do not overlap.
    a = tubelet(0, [FAR, FAR, X], 0.5)
    c = tubelet(1, [X, (200, 0, 209, 9), X], 0.5)
    assert spans(link_action_tubes([a, c], 1, **ALL)) == [(0, 2), (1, 3)]


def test_overlap_is_last_box_against_first_box_when_starts_are_k_or_more_apart() -> None:
    # K=2, starts 0 and 2: no shared frame; last box of the tube X against first box X.
    a = tubelet(0, [FAR, X], 0.5)
    assert spans(link_action_tubes([a, tubelet(2, [X, FAR], 0.5)], 1, **ALL)) == [(0, 3)]
    assert spans(link_action_tubes([a, tubelet(2, [FAR, X], 0.5)], 1, **ALL)) == [(0, 1), (2, 3)]


def test_a_tube_ends_after_end_after_frames_without_a_link() -> None:
    # Last start 0: a candidate starting on frame 5 can still link, one on frame 6 cannot.
    assert spans(link_action_tubes([tubelet(0, X, 0.5), tubelet(5, X, 0.5)], 1, **ALL)) == [(0, 5)]
    assert spans(link_action_tubes([tubelet(0, X, 0.5), tubelet(6, X, 0.5)], 1, **ALL)) == [(0, 0), (6, 6)]
    assert spans(link_action_tubes([tubelet(0, X, 0.5), tubelet(6, X, 0.5)], 1, end_after=6, **ALL)) == [(0, 6)]
    # Frames with unrelated candidates age the tube the same way as frames without any.
    busy = [tubelet(0, X, 0.5), tubelet(3, FAR, 0.5), tubelet(5, X, 0.5)]
    assert spans(link_action_tubes(busy, 1, **ALL)) == [(0, 5), (3, 3)]
    busy = [tubelet(0, X, 0.5), tubelet(5, FAR, 0.5), tubelet(6, X, 0.5)]
    assert spans(link_action_tubes(busy, 1, **ALL)) == [(0, 0), (5, 5), (6, 6)]


def test_boxes_scores_and_uncertainty_average_the_covering_tubelets() -> None:
    a = tubelet(0, (0, 0, 10, 10), 0.4, k=3, uncertainty=1.0)
    b = tubelet(1, (2, 2, 12, 12), 0.8, k=3, uncertainty=3.0)
    (tube,) = link_action_tubes([a, b], 1, **ALL)
    assert list(tube.frames) == [0, 1, 2, 3]
    assert np.allclose(tube.boxes, [[0, 0, 10, 10], [1, 1, 11, 11], [1, 1, 11, 11], [2, 2, 12, 12]])
    assert np.allclose(tube.frame_scores, [0.4, 0.6, 0.6, 0.8])
    assert np.allclose(tube.frame_uncertainty, [1, 2, 2, 3])
    assert tube.score == pytest.approx(0.6)
    assert link_action_tubes([tubelet(0, X, 0.5)], 1, **ALL)[0].frame_uncertainty is None


def test_frames_no_tubelet_covers_are_interpolated() -> None:
    # K=1 tubelets on frames 0 and 4 (within end_after): frames 1..3 lie between.
    (tube,) = link_action_tubes([tubelet(0, (0, 0, 8, 8), 0.2), tubelet(4, (4, 0, 12, 8), 0.6)], 1, **ALL)
    assert list(tube.frames) == [0, 1, 2, 3, 4]
    assert np.allclose(tube.boxes[:, 0], [0, 1, 2, 3, 4])
    assert np.allclose(tube.frame_scores, [0.2, 0.3, 0.4, 0.5, 0.6])


def test_each_class_is_linked_on_its_own_scores() -> None:
    # Two candidates at frame 1 that NMS keeps together; class 0 prefers the left one, class 1 the right.
    tubelets = [
        tubelet(0, X, [0.5, 0.5]),
        tubelet(1, (-3, 0, 6, 9), [0.9, 0.1]),
        tubelet(1, (4, 0, 13, 9), [0.1, 0.9]),
    ]
    tubes = link_action_tubes(tubelets, 2, **ALL)
    long = {t.label_index: tuple(t.boxes[1]) for t in tubes if len(t.frames) == 2}
    assert long == {0: (-3, 0, 6, 9), 1: (4, 0, 13, 9)}


def test_videos_are_linked_separately_and_never_mixed() -> None:
    tubelets = [tubelet(0, X, 0.5, video="a"), tubelet(1, X, 0.5, video="b"), tubelet(1, X, 0.5, video="a")]
    with pytest.raises(ValueError, match="videos"):
        link_action_tubes(tubelets, 1)
    by_video = link_video_tubes(tubelets, 1, **ALL)
    assert list(by_video) == ["a", "b"]
    assert spans(by_video["a"]) == [(0, 1)] and spans(by_video["b"]) == [(1, 1)]
    with pytest.raises(ValueError, match="class scores"):
        link_action_tubes([tubelet(0, X, 0.5)], 2)
    assert link_action_tubes([], 3) == []


def _iou_plus_one(a, b) -> float:
    width = min(a[2], b[2]) + 1 - max(a[0], b[0])
    height = min(a[3], b[3]) + 1 - max(a[1], b[1])
    inter = max(0.0, width) * max(0.0, height)
    union = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter
    return inter / union


def _shared_mean_iou(a: ScoredTubelet, b: ScoredTubelet) -> float | None:
    shared = sorted(set(a.frames.tolist()) & set(b.frames.tolist()))
    if not shared:
        return None
    ia, ib = int(a.frames[0]), int(b.frames[0])
    return sum(_iou_plus_one(a.boxes[f - ia], b.boxes[f - ib]) for f in shared) / len(shared)


def _dense_reference(tubelets, label):
    """ACT's loop written plainly: every frame from the first start to the last is visited,
    every live tube is checked on each, and one without a link at offset >= 5 ends."""
    starts = [int(t.frames[0]) for t in tubelets]
    live, done = [], []
    for frame in range(min(starts), max(starts) + 1):
        here = [t for t, s in zip(tubelets, starts) if s == frame]
        here.sort(key=lambda t: -t.scores[label])
        candidates = []
        for t in here:
            if len(candidates) < 10 and all(_shared_mean_iou(k, t) <= 0.3 for k in candidates):
                candidates.append(t)
        live.sort(key=lambda tube: -np.mean([t.scores[label] for t in tube]))
        ended = []
        for tube in live:
            last = tube[-1]
            overlaps = []
            for c in candidates:
                mean = _shared_mean_iou(last, c)
                overlaps.append(_iou_plus_one(last.boxes[-1], c.boxes[0]) if mean is None else mean)
            valid = [i for i, o in enumerate(overlaps) if o >= 0.2]
            if valid:
                best = max(valid, key=lambda i: (candidates[i].scores[label], -i))
                tube.append(candidates.pop(best))
            elif frame - int(last.frames[0]) >= 5:
                ended.append(tube)
        live = [tube for tube in live if not any(tube is e for e in ended)] + [[c] for c in candidates]
        done += ended
    result = []
    for tube in done + live:
        first = int(tube[0].frames[0])
        last = max(int(t.frames[-1]) for t in tube)
        score = float(np.mean([t.scores[label] for t in tube]))
        if last - first + 1 >= 15 and score >= 0.01:
            result.append((label, first, last, round(score, 12)))
    return sorted(result)


@pytest.mark.parametrize("seed", range(8))
def test_sparse_starts_link_as_acts_every_frame_loop(seed) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    tubelets = []
    for person in range(3):
        centre = np.array([30.0 + 25 * person, 40.0])  # people close enough to compete for links
        for start in range(0, 70):
            centre = centre + rng.normal(0, 3, 2)
            if rng.random() < 0.45:  # sparse starts, with gaps longer than end_after at times
                continue
            jitter = rng.normal(0, 2, (k, 4))
            boxes = np.concatenate([centre - 12, centre + 12])[None] + jitter
            scores = rng.choice([0.005, 0.2, 0.4, 0.6], size=2)  # ties included
            tubelets.append(ScoredTubelet("v", person, np.arange(start, start + k), boxes, scores, None))
    ours = sorted(
        (t.label_index, int(t.frames[0]), int(t.frames[-1]), round(t.score, 12)) for t in link_action_tubes(tubelets, 2)
    )
    expected = sorted(_dense_reference(tubelets, 0) + _dense_reference(tubelets, 1))
    assert ours == expected
    assert len(expected) > 0
