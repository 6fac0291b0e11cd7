"""A run's stored predictions drawn over the video and on the timeline."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from wsad_core.project import Project
from wsad_core.project.predictions import VideoPredictions
from wsad_core.tubes.action_tubes import ActionTube
from wsad_studio.overlays.predictions import opacity_for

LABELS = ("walk", "wave", "sit")


def walk_predictions() -> VideoPredictions:
    """Two tubes on ``walk`` (64×48): 'wave' 0.8 on frames 3–19, 'walk' 0.4 on frames 10–29."""
    tubes = (
        ActionTube("walk", 1, 0.8, np.arange(3, 20), np.tile([8.0, 4, 40, 44], (17, 1)),
                   np.full(17, 0.8), np.full(17, 0.25)),
        ActionTube("walk", 0, 0.4, np.arange(10, 30), np.tile([32.0, 8, 60, 40], (20, 1)),
                   np.full(20, 0.4), np.full(20, 3.0)),
    )
    return VideoPredictions(
        video="walk", width=64, height=48,
        tubelet_track=np.zeros(1, dtype=np.int32), tubelet_first=np.array([3], dtype=np.int32),
        tubelet_boxes=np.tile(np.array([8, 4, 40, 44], dtype=np.float32), (1, 4, 1)),
        tubelet_scores=np.array([[0.4, 0.8, 0.1]], dtype=np.float32), tubelet_uncertainty=None,
        keyframe_frame=np.zeros(0, dtype=np.int32), keyframe_time=np.zeros(0),
        keyframe_track=np.zeros(0, dtype=np.int32), keyframe_boxes=np.zeros((0, 4)),
        keyframe_scores=np.zeros((0, 3), dtype=np.float32), keyframe_uncertainty=None, tubes=tubes,
    )


@pytest.fixture
def run_id(studio_project) -> int:
    with Project.open(studio_project) as project:
        run = project.create_run("demo-run", {})
        project.store_predictions(run.id, {"walk": walk_predictions()}, labels=LABELS, checkpoint="c.pt")
        return run.id


def test_predicted_tubes_are_drawn_by_tube_with_score_and_uncertainty(qtbot, window, run_id):
    window.show_run(run_id)
    assert window.results.run_a.currentData() == run_id  # the Results view follows the shown run
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 12, timeout=5000):
        window.state.set_frame(12)
    assert window.player.view.boxes.captions() == ["wave 0.80 σ²0.25", "walk 0.40 σ²3.00"]
    first, second = window.player.view.boxes.childItems()
    assert first.rect().getCoords() == pytest.approx((8, 4, 40, 44))
    assert first.opacity() == pytest.approx(0.8) and second.opacity() == pytest.approx(0.35)
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 25, timeout=5000):
        window.state.set_frame(25)
    assert window.player.view.boxes.captions() == ["GT walk", "walk 0.40 σ²3.00"]
    spans = window.timeline.span_layers[0]
    assert spans("wave") == [(0.12, 0.8)] and spans("walk") == [(0.4, 1.2)] and spans("sit") == []
    window.show_run(None)
    assert window.player.view.boxes.captions() == ["GT walk"] and window.timeline.span_layers == []


def test_uncertainty_fades_boxes():
    assert opacity_for(None) == 1.0 and opacity_for(0.0) == 1.0
    assert opacity_for(1.0) == 0.5 and opacity_for(100.0) == 0.35


def test_screenshot_with_a_run(studio_project, run_id, tmp_path):
    shot = tmp_path / "run.png"
    result = subprocess.run(
        [sys.executable, "-m", "wsad_studio.main", str(studio_project), "--video", "walk", "--frame", "12",
         "--run", str(run_id), "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 10_000
    missing = subprocess.run(
        [sys.executable, "-m", "wsad_studio.main", str(studio_project), "--run", "99", "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_suggested_labels_are_shown_and_accepted_with_one_key(qtbot, window, run_id, studio_project):
    from PySide6.QtCore import Qt

    assert window.label_panel.suggested_labels() == []
    window.show_run(run_id)
    assert window.state.suggestions() == {"wave": pytest.approx(0.8)}
    assert window.label_panel.suggested_labels() == ["wave"]
    assert "suggested 0.80" in window.label_panel.list.item(1).text()
    qtbot.keyClick(window, Qt.Key.Key_Equal)
    with Project.open(studio_project) as project:
        assert [(c.labels, c.labelled) for c in project.clips(video="walk")] == [(("wave",), True)]
    assert window.label_panel.suggested_labels() == [] and window.label_panel.checked_labels() == ["wave"]
    window.editor.undo()
    assert window.label_panel.suggested_labels() == ["wave"]
    window.show_run(None)
    assert window.state.suggestions() == {}


def test_view_menu_toggles_overlays_picks_the_run_and_the_threshold(qtbot, window, run_id):
    window._fill_runs_menu()
    runs = [action.text() for action in window.runs_menu.actions()]
    assert runs == ["None", f"#{run_id} demo-run"]
    window.runs_menu.actions()[1].trigger()
    assert window.run_shown == run_id
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 25, timeout=5000):
        window.state.set_frame(25)
    assert window.player.view.boxes.captions() == ["GT walk", "walk 0.40 σ²3.00"]
    window.show_ground_truth.trigger()
    assert window.player.view.boxes.captions() == ["walk 0.40 σ²3.00"]
    window.show_run(run_id, min_score=0.5)
    assert window.player.view.boxes.captions() == []
    assert window.timeline.span_layers[0]("walk") == []
    window.show_ground_truth.trigger()
    window.show_predictions.trigger()
    window.show_run(run_id, min_score=0.0)
    assert window.player.view.boxes.captions() == ["GT walk"]


def test_raw_detections_are_drawn_when_asked_for(qtbot, window, studio_project):
    from wsad_core.detect.cache import DetectionSet
    from wsad_core.tubes.tracks import FrameDetections

    with Project.open(studio_project) as project:
        video = next(v for v in project.videos() if v.name == "walk")
        found = FrameDetections(np.array([12, 12, 13]), np.array([[0.1, 0.1, 0.5, 0.9], [0.6, 0.2, 0.9, 0.8],
                                                                   [0.1, 0.1, 0.5, 0.9]]), np.array([0.9, 0.3, 0.8]))
        DetectionSet.create(project.cache_dir, {"detector": "test"}).save(video.fingerprint, found)
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 12, timeout=5000):
        window.state.set_frame(12)
    assert not any(c.startswith("person") for c in window.player.view.boxes.captions())
    window.show_detections.trigger()
    assert [c for c in window.player.view.boxes.captions() if c.startswith("person")] == ["person 0.90", "person 0.30"]
    first = window.player.view.boxes.childItems()[0]
    assert first.rect().getCoords() == pytest.approx((0.1 * 64, 0.1 * 48, 0.5 * 64, 0.9 * 48))
    window.show_detections.trigger()
    assert not any(c.startswith("person") for c in window.player.view.boxes.captions())


def test_detections_are_read_once_however_often_overlays_change(qtbot, window, studio_project, monkeypatch):
    from wsad_core.detect.cache import DetectionSet
    from wsad_core.tubes.tracks import FrameDetections

    with Project.open(studio_project) as project:
        video = next(v for v in project.videos() if v.name == "walk")
        found = FrameDetections(np.array([12]), np.array([[0.1, 0.1, 0.5, 0.9]]), np.array([0.9]))
        DetectionSet.create(project.cache_dir, {"detector": "test"}).save(video.fingerprint, found)
    reads = []
    original = DetectionSet.load
    monkeypatch.setattr(DetectionSet, "load", lambda self, key: reads.append(key) or original(self, key))
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 12, timeout=5000):
        window.state.set_frame(12)
    window.show_detections.trigger()
    for _ in range(3):
        window.show_ground_truth.trigger()
        window.set_min_score(0.3)
    assert "person 0.90" in window.player.view.boxes.captions()
    assert reads == [video.fingerprint]


def test_the_score_slider_hides_weak_tubes(qtbot, window, run_id):
    window.show_run(run_id)
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 12, timeout=5000):
        window.state.set_frame(12)
    assert window.player.view.boxes.captions() == ["wave 0.80 σ²0.25", "walk 0.40 σ²3.00"]
    window.score_slider.setValue(50)
    assert window.overlays.min_score == pytest.approx(0.5) and window.score_text.text() == "0.50"
    assert window.player.view.boxes.captions() == ["wave 0.80 σ²0.25"]
    window.set_min_score(0.0)
    assert window.score_slider.value() == 0
    assert window.player.view.boxes.captions() == ["wave 0.80 σ²0.25", "walk 0.40 σ²3.00"]
