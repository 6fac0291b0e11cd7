"""Weak (clip-level) labels for any clip duration, checked on a hand-built scene."""

from __future__ import annotations

import numpy as np
import pytest

from wsad_core.synthetic import ACTION_IDS, ACTIONS, VideoScene, weak_label_rows, weak_labels


def hand_scene() -> VideoScene:
    """10 frames at 2 fps (5 s, two frames per second), two people. Person 0 walks in frames 0-2 and waves in
    frames 5-6; person 1 claps in frame 8 but is out of the picture then, and jumps in frame 9."""
    nframes, people = 10, 2
    boxes = np.tile(np.array([10.0, 10.0, 50.0, 90.0]), (nframes, people, 1))
    boxes[8, 1] = np.nan
    actions = np.zeros((nframes, people, len(ACTIONS)), bool)
    for person, name, frames in [(0, "walk", [0, 1, 2]), (0, "wave", [5, 6]), (1, "clap", [8]), (1, "jump", [9])]:
        actions[frames, person, ACTION_IDS[name] - 1] = True
    return VideoScene("hand", 100, 100, 2, nframes, ACTIONS, [], boxes, actions)


def test_one_second_cells_are_unions_over_their_frames() -> None:
    assert weak_labels(hand_scene(), 1) == [
        (0, 1, ("walk",)),
        (1, 2, ("walk",)),
        (2, 3, ("wave",)),
        (3, 4, ("wave",)),
        (4, 5, ("jump",)),
    ]


def test_two_second_cells_end_with_a_shorter_one() -> None:
    assert weak_labels(hand_scene(), 2) == [
        (0, 2, ("walk",)),
        (2, 4, ("wave",)),
        (4, 5, ("jump",)),
    ]


@pytest.mark.parametrize("seconds", [None, 5, 60])
def test_the_whole_video_is_one_cell(seconds) -> None:
    assert weak_labels(hand_scene(), seconds) == [(0, 5, ("jump", "walk", "wave"))]


def test_cells_that_do_not_divide_frames_evenly() -> None:
    # 1.5 s cells at 2 fps: frames 0-2 | 3-5 | 6-8 | 9.
    assert [labels for _, _, labels in weak_labels(hand_scene(), 1.5)] == [
        ("walk",), ("wave",), ("wave",), ("jump",),
    ]


def test_rows_for_the_clip_label_csv() -> None:
    rows = weak_label_rows(hand_scene(), 2)
    assert [(r.video, r.start, r.end, r.labels) for r in rows][1] == ("hand", 2, 4, ("wave",))
