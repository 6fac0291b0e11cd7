"""The studio's first slice: a window that opens a project and lists its videos."""

import os
import subprocess
import sys

import pytest

from wsad_core.project import Project
from wsad_studio.main_window import MainWindow
from wsad_studio.state import AppState


@pytest.fixture
def project_with_videos(tmp_path, make_video):
    root = tmp_path / "proj"
    with Project.create(root) as project:
        make_video("walk.mp4", frames=50)
        bad = tmp_path / "videos" / "bad.mp4"
        bad.write_bytes(b"nope")
        project.import_videos([tmp_path / "videos"])
    return root


def test_state_opens_a_project_and_announces_its_videos(qtbot, project_with_videos):
    state = AppState()
    with qtbot.waitSignal(state.videos_changed) as blocker:
        state.open_project(project_with_videos)
    assert sorted(v.name for v in blocker.args[0]) == ["bad", "walk"]
    state.close()
    assert state.project is None and state.videos == []


def test_window_lists_videos_with_status_and_errors(qtbot, project_with_videos, tmp_path):
    state = AppState()
    window = MainWindow(state)
    qtbot.addWidget(window)
    state.open_project(project_with_videos)
    model = window.library_model
    rows = {model.text(r, 0): [model.text(r, c) for c in range(model.columnCount())]
            for r in range(model.rowCount())}
    assert rows["walk"][1:5] == ["ok", "2.0 s", "", "64×48"]
    assert rows["bad"][1] == "error" and rows["bad"][5]
    assert "2 videos" in window.summary.text()
    assert window.windowTitle() == "wsad-studio — proj"
    window.show()
    shot = tmp_path / "window.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 1000
    state.close()


def test_screenshot_command_renders_and_exits(project_with_videos, tmp_path):
    shot = tmp_path / "studio.png"
    result = subprocess.run(
        [sys.executable, "-m", "wsad_studio.main", str(project_with_videos), "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 1000


def test_opening_a_folder_without_a_project_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "wsad_studio.main", str(tmp_path), "--screenshot", str(tmp_path / "x.png")],
        capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 2
    assert "no project here" in result.stderr and "Traceback" not in result.stderr


def test_library_sorts_by_duration_and_follows_the_video_shown(qtbot, tmp_path, make_video):
    from PySide6.QtCore import Qt

    root = tmp_path / "sorted"
    with Project.create(root) as project:
        for name, frames in (("b_long", 60), ("a_short", 20), ("c_mid", 40)):
            make_video(f"{name}.mp4", frames=frames, folder=tmp_path / "many")
        project.import_videos([tmp_path / "many"])
    state = AppState()
    window = MainWindow(state)
    qtbot.addWidget(window)
    state.open_project(root)
    model = window.library_model
    assert [model.text(r, 0) for r in range(3)] == ["a_short", "b_long", "c_mid"]
    window.library.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert [model.text(r, 0) for r in range(3)] == ["b_long", "c_mid", "a_short"]
    window.library.clicked.emit(model.index(1, 4))
    assert state.video.name == "c_mid"
    assert window.library.selectionModel().selectedRows()[0].row() == 1
    window.close()
    state.close()


def test_layout_and_last_project_are_remembered(qtbot, tmp_path, project_with_videos):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)
    state = AppState()
    window = MainWindow(state, settings)
    qtbot.addWidget(window)
    assert window.last_project() is None
    state.open_project(project_with_videos)
    window.resize(640, 480)
    window.close()
    state.close()
    again = MainWindow(AppState(), QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.last_project() == str(project_with_videos)
    assert (again.width(), again.height()) == (640, 480)
    again.close()


def test_recent_projects_open_from_the_file_menu(qtbot, tmp_path, project_with_videos):
    import shutil

    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)
    other, gone = tmp_path / "other", tmp_path / "gone"
    shutil.copytree(project_with_videos, other)
    shutil.copytree(project_with_videos, gone)
    state = AppState()
    window = MainWindow(state, settings)
    qtbot.addWidget(window)
    window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.recent_menu.actions()] == ["No recent projects"]
    for folder in (project_with_videos, gone, other, project_with_videos):  # reopening moves it up
        state.open_project(folder)
    shutil.rmtree(gone)
    window.recent_menu.aboutToShow.emit()
    entries = [a for a in window.recent_menu.actions() if not a.isSeparator()]
    assert [a.text() for a in entries] == [
        str(project_with_videos), str(other), f"{gone} (not found)", "Clear the list",
    ]
    assert entries[1].isEnabled() and not entries[2].isEnabled()
    entries[1].trigger()
    assert state.project is not None and state.project.root == other
    entries[3].trigger()
    window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.recent_menu.actions()] == ["No recent projects"]
    window.close()
    state.close()


def test_library_filters_by_text_status_and_label(qtbot, project_with_videos):
    state = AppState()
    window = MainWindow(state)
    qtbot.addWidget(window)
    state.open_project(project_with_videos)
    panel, model = window.library_panel, window.library_model
    state.project.add_labels(["sit"])
    state.refresh_labels()
    names = lambda: sorted(model.text(r, 0) for r in range(model.rowCount()))  # noqa: E731
    panel.text.setText("wal")
    assert names() == ["walk"]
    panel.text.clear()
    panel.status.setCurrentIndex(panel.status.findData("error"))
    assert names() == ["bad"]
    panel.status.setCurrentIndex(0)
    panel.label.setCurrentIndex(panel.label.findData("sit"))
    assert names() == []
    clip = state.project.clips(video="walk")[0]
    state.project.set_clip_labels(clip.id, ["sit"])
    state.refresh_videos()
    assert names() == ["walk"]
    window.close()
    state.close()


def test_import_runs_in_the_background_and_fills_the_library(qtbot, tmp_path, make_video, project_with_videos):
    state = AppState()
    window = MainWindow(state)
    qtbot.addWidget(window)
    state.open_project(project_with_videos)
    for index in range(3):
        make_video(f"more_{index}.mp4", frames=20, seed=10 + index, folder=tmp_path / "more")
    progress = []
    assert window.import_paths([tmp_path / "more"])
    window.video_import.progress.connect(lambda done, total, path: progress.append((done, total)))
    assert not window.import_paths([tmp_path / "more"]), "one import at a time"
    with qtbot.waitSignal(window.video_import.finished, timeout=60_000) as blocker:
        pass
    assert len(blocker.args[0].added) == 3
    assert progress[-1] == (3, 3)
    model = window.library_model
    assert sorted(model.text(r, 0) for r in range(model.rowCount())) == ["bad", "more_0", "more_1", "more_2", "walk"]
    assert "Imported 3 video(s)" in window.statusBar().currentMessage()
    assert window.import_progress.isHidden() and window.video_import is None
    window.close()
    state.close()


def test_library_shows_each_videos_labels_and_follows_edits(qtbot, window):
    model = window.library_model
    assert model.text(0, 3) == ""
    window.editor.toggle_label("wave")
    window.editor.toggle_label("walk")
    assert model.text(0, 3) == "walk, wave"
    window.editor.undo()
    assert model.text(0, 3) == "wave"


def test_library_thumbnails_load_in_the_background_and_are_cached(qtbot, window, studio_project):
    from PySide6.QtCore import Qt

    model = window.library_model
    qtbot.waitUntil(lambda: model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is not None, timeout=10_000)
    image = model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole)
    assert (image.width(), image.height()) == (64, 48)
    assert len(list((studio_project / "cache" / "thumbnails").glob("*.png"))) == 1


def test_the_studio_starts_without_loading_torch():
    """torch takes seconds to import; the studio leaves it to its children."""
    code = "import sys, wsad_studio.main_window; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
