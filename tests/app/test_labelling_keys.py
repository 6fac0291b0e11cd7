"""Labelling from the keyboard: every key press that edits is in the database at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt

from wsad_core.project import Project

Key = Qt.Key
NO = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def db_clips(root):
    with Project.open(root) as project:
        return {(c.start, c.end): (c.labels, c.labelled) for c in project.clips(video="walk")}


def keys(qtbot, window, *presses):
    for press in presses:
        key, modifier = press if isinstance(press, tuple) else (press, NO)
        qtbot.keyClick(window, key, modifier)


def test_label_keys_toggle_labels_of_the_current_clip(qtbot, window, studio_project):
    keys(qtbot, window, Key.Key_1, Key.Key_3)
    assert db_clips(studio_project) == {(0.0, 3.0): (("sit", "walk"), True)}
    assert window.label_panel.checked_labels() == ["walk", "sit"]
    keys(qtbot, window, Key.Key_1)
    assert db_clips(studio_project) == {(0.0, 3.0): (("sit",), True)}
    assert window.label_panel.checked_labels() == ["sit"]
    assert "sit" in window.label_panel.clip_info.text()


def test_in_out_enter_then_label_then_undo_and_redo(qtbot, window, studio_project):
    state = window.state
    keys(qtbot, window, *[Key.Key_Right] * 5, Key.Key_I, (Key.Key_Right, SHIFT), Key.Key_O)
    assert (state.mark_in, state.mark_out) == (5, 30)
    keys(qtbot, window, Key.Key_Return)
    assert (0.2, 1.24) in db_clips(studio_project)
    keys(qtbot, window, Key.Key_2)
    assert db_clips(studio_project)[(0.2, 1.24)] == (("wave",), True)
    keys(qtbot, window, (Key.Key_Z, CTRL))
    assert db_clips(studio_project)[(0.2, 1.24)] == ((), False)
    keys(qtbot, window, (Key.Key_Z, CTRL))
    assert (0.2, 1.24) not in db_clips(studio_project)
    keys(qtbot, window, (Key.Key_Z, CTRL | SHIFT), (Key.Key_Z, CTRL | SHIFT))
    assert db_clips(studio_project)[(0.2, 1.24)] == (("wave",), True)
    assert window.label_panel.checked_labels() == ["wave"]


def test_brackets_jump_between_clips(qtbot, window):
    window.editor.split_video(1.0)
    state = window.state
    keys(qtbot, window, Key.Key_BracketRight)
    assert state.frame == 25
    keys(qtbot, window, Key.Key_BracketRight, Key.Key_BracketRight)
    assert state.frame == 50, "no clip starts after 2 s"
    keys(qtbot, window, Key.Key_BracketLeft)
    assert state.frame == 25


def test_keys_reach_the_window_while_the_library_has_focus(qtbot, window, studio_project):
    window.library.setFocus()
    keys(qtbot, window.library, Key.Key_Right, Key.Key_2)
    assert window.state.frame == 1
    assert db_clips(studio_project)[(0.0, 3.0)] == (("wave",), True)


def test_a_killed_studio_keeps_every_edit_it_reported_saved(studio_project):
    child = textwrap.dedent(
        f"""
        import sys, time
        from wsad_studio.commands import Editor
        from wsad_studio.state import AppState
        state = AppState()
        state.open_project({str(studio_project)!r})
        state.select_video("walk")
        state.saved.connect(lambda text: print("SAVED", text, flush=True))
        editor = Editor(state)
        editor.toggle_label("walk")
        state.set_mark_in(25); state.set_mark_out(49)
        editor.commit_interval()
        state.set_frame(30)
        editor.toggle_label("sit")
        print("DONE", flush=True)
        time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("DONE"):
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert sum(line.startswith("SAVED") for line in lines) == 3
    assert db_clips(studio_project) == {(0.0, 3.0): (("walk",), True), (1.0, 2.0): (("sit",), True)}


def test_zero_marks_no_action_and_backspace_forgets(qtbot, window, studio_project):
    keys(qtbot, window, Key.Key_1, Key.Key_0)
    assert db_clips(studio_project)[(0.0, 3.0)] == ((), True)
    assert "no action" in window.label_panel.clip_info.text()
    keys(qtbot, window, Key.Key_Backspace)
    assert db_clips(studio_project)[(0.0, 3.0)] == ((), False)
    assert "not labelled" in window.label_panel.clip_info.text()
    keys(qtbot, window, (Key.Key_Z, CTRL), (Key.Key_Z, CTRL))
    assert db_clips(studio_project)[(0.0, 3.0)] == (("walk",), True)


def test_tab_goes_to_the_next_unlabelled_clip(qtbot, window):
    window.editor.split_video(1.0)
    state = window.state
    keys(qtbot, window, Key.Key_Tab)
    assert state.frame == 25, "the whole-video clip and the first second start at 0"
    keys(qtbot, window, Key.Key_1, Key.Key_Tab)
    assert state.frame == 50
    keys(qtbot, window, Key.Key_1, Key.Key_Tab)
    assert state.frame == 0, "wraps around to the unlabelled clips at the start"


def test_the_library_filter_never_takes_keys_unless_clicked(qtbot, window, studio_project):
    assert window.focusWidget() is not window.library_panel.text
    keys(qtbot, window.focusWidget() or window, Key.Key_2)
    assert window.library_panel.text.text() == ""
    assert db_clips(studio_project)[(0.0, 3.0)] == (("wave",), True)
