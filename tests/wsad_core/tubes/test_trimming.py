"""Temporal trimming of action tubes (Viterbi action/background labelling), by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wsad_core.tubes.action_tubes import ActionTube
from wsad_core.tubes.trimming import trim_tube_temporally


def tube(scores, first=10, uncertainty=True):
    scores = np.asarray(scores, dtype=np.float64)
    frames = np.arange(first, first + scores.size)
    boxes = np.stack([frames, frames, frames + 5, frames + 5], axis=1).astype(np.float64)
    return ActionTube("v", 2, float(scores.mean()), frames, boxes, scores, scores * 2 if uncertainty else None)


def spans(parts):
    return [(int(p.frames[0]), int(p.frames[-1])) for p in parts]


def test_low_scoring_ends_are_cut_when_the_switches_pay_off() -> None:
    # Action on frames 12..14: gains 0.9 x 6 - 2 x 0.3 = 4.8 beat all-background (3.0).
    (part,) = trim_tube_temporally(tube([0.1, 0.1, 0.9, 0.9, 0.9, 0.1]), min_length=1)
    assert spans([part]) == [(12, 14)]
    assert part.score == pytest.approx(0.9) and part.label_index == 2 and part.video == "v"
    assert np.array_equal(part.boxes[:, 0], [12, 13, 14])
    assert np.allclose(part.frame_uncertainty, 1.8)


def test_the_switch_penalty_decides_between_trimming_and_keeping() -> None:
    scores = [0.4, 0.9, 0.9, 0.9, 0.4]
    # Whole tube: 3.5. Trimmed to 11..13: 0.6 + 2.7 + 0.6 = 3.9 minus two switches.
    assert spans(trim_tube_temporally(tube(scores), switch_penalty=0.3, min_length=1)) == [(10, 14)]
    assert spans(trim_tube_temporally(tube(scores), switch_penalty=0.05, min_length=1)) == [(11, 13)]


def test_several_parts_and_the_minimum_length() -> None:
    scores = [0.9, 0.9, 0.1, 0.1, 0.1, 0.9, 0.9]
    assert spans(trim_tube_temporally(tube(scores, first=0), min_length=1)) == [(0, 1), (5, 6)]
    assert trim_tube_temporally(tube(scores, first=0), min_length=3) == []
    assert trim_tube_temporally(tube([0.2] * 30)) == []
    (whole,) = trim_tube_temporally(tube([0.8] * 30, uncertainty=False))
    assert spans([whole]) == [(10, 39)] and whole.frame_uncertainty is None
