"""A real project for the studio tests: one H.264 video, three labels, ground truth at 1 s."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsad_core.project import Project, import_ava_ground_truth
from wsad_studio.main_window import MainWindow
from wsad_studio.state import AppState

FPS = 25
FRAMES = 75


@pytest.fixture
def studio_project(tmp_path: Path, make_video) -> Path:
    """``walk`` (3 s, 64×48, keyframes every 25 frames with B-frames) labelled walk/wave/sit,
    with one ground-truth box of ``walk`` at 1.0 s (frame 25)."""
    root = tmp_path / "proj"
    make_video("walk.mp4", frames=FRAMES, fps=FPS, seed=7)
    with Project.create(root) as project:
        project.import_videos([tmp_path / "videos"])
        project.add_labels(["walk", "wave", "sit"])
        gt = tmp_path / "gt.csv"
        gt.write_text("walk,1.0,0.1,0.2,0.5,0.9,1,0\nwalk,2.0\n")
        import_ava_ground_truth(project, gt)
    return root


@pytest.fixture
def state(studio_project: Path):
    state = AppState()
    state.open_project(studio_project)
    state.select_video("walk")
    yield state
    state.close()


@pytest.fixture
def window(qtbot, studio_project: Path):
    """The main window showing ``walk``, active so that its shortcuts receive key presses."""
    state = AppState()
    window = MainWindow(state)
    qtbot.addWidget(window)
    state.open_project(studio_project)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000):
        state.select_video("walk")
    yield window
    window.close()
    state.close()
