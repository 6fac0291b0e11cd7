"""The player shows, for index i, exactly the frame the training pipeline reads for i."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt

from wsad_core.video import VideoReader
from wsad_studio.frame_source import FrameSource, to_array


def shown_pixels(window) -> np.ndarray:
    return to_array(window.player.view.image)


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window, key, modifier)


def test_frame_steps_show_the_frames_the_reader_reads(qtbot, window):
    path = window.state.video.path
    with VideoReader(path) as reader:
        expected = {i: reader.read_frame(i) for i in range(reader.frame_count)}
    assert np.array_equal(shown_pixels(window), expected[0])
    moves = [
        (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, 1),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, 2),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, 27),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, 26),
        (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier, 74),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier, 49),
        (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier, 0),
    ]
    for key, modifier, frame in moves:
        with qtbot.waitSignal(window.player.frame_shown, timeout=5000, check_params_cb=lambda i, f=frame: i == f):
            press(qtbot, window, key, modifier)
        assert window.state.frame == frame
        assert np.array_equal(shown_pixels(window), expected[frame]), f"frame {frame}"
        assert f"frame {frame} / 74" in window.player.position.text()


def test_latest_seek_wins_and_older_requests_are_skipped(qtbot, state):
    source = FrameSource()
    shown = []
    source.frame_ready.connect(lambda index, image: shown.append(index))
    source.set_video(state.video.path)
    try:
        with qtbot.waitSignal(source.frame_ready, timeout=5000):
            source.request(0)
        # Neighbours of frame 0 prefetched by now would be answered at once, from the cache
        # (by design); nothing is decoded into the cache until the event loop runs again.
        source.clear_cache()
        targets = [70, 3, 55, 12, 40, 66, 8, 31]
        with qtbot.waitSignal(source.frame_ready, timeout=5000, check_params_cb=lambda i, _img: i == 31):
            for index in targets:
                source.request(index)
        qtbot.wait(200)
        assert shown[-1] == 31 and shown.count(31) == 1
        assert set(shown[1:]) == {31}, "only the latest request is shown"
        with VideoReader(state.video.path) as reader:
            assert np.array_equal(to_array(source.cached(31)), reader.read_frame(31))
        decoded_before = len(shown)
        source.request(31)
        assert shown[-1] == 31 and len(shown) == decoded_before + 1, "a cached frame is answered at once"
    finally:
        source.shutdown()


def test_playback_advances_and_stops_at_the_end(qtbot, window):
    window.state.set_frame(70)
    window.player.set_speed(4.0)
    with qtbot.waitSignal(window.player.playing_changed, timeout=5000, check_params_cb=lambda p: not p):
        press(qtbot, window, Qt.Key.Key_Space)
    assert window.state.frame == 74 and not window.player.playing


def test_ground_truth_boxes_are_drawn_on_annotated_frames_only(qtbot, window):
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 25, timeout=5000):
        window.state.set_frame(25)
    assert window.player.view.boxes.captions() == ["GT walk"]
    rect = window.player.view.boxes.childItems()[0].rect()
    assert [rect.x(), rect.y(), rect.width(), rect.height()] == pytest.approx([6.4, 9.6, 25.6, 33.6])
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 26, timeout=5000):
        window.state.set_frame(26)
    assert window.player.view.boxes.captions() == []


def test_screenshot_of_a_video_at_a_frame(studio_project, tmp_path):
    shot = tmp_path / "frame.png"
    result = subprocess.run(
        [sys.executable, "-m", "wsad_studio.main", str(studio_project), "--video", "walk", "--frame", "25",
         "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert "could not be shown" not in result.stderr
    assert shot.stat().st_size > 10_000


def test_a_missing_video_file_is_a_message_not_a_crash(qtbot, tmp_path, studio_project):
    from wsad_studio.main_window import MainWindow
    from wsad_studio.state import AppState

    (tmp_path / "videos" / "walk.mp4").unlink()
    state = AppState()
    window = MainWindow(state)
    qtbot.addWidget(window)
    state.open_project(studio_project)
    with qtbot.waitSignal(window.player.source.frame_failed, timeout=5000):
        state.select_video("walk")
    assert "walk.mp4" in window.player.view.message.text()
    state.step(1)
    window.close()
    state.close()
