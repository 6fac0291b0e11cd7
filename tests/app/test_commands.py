"""Undoable edits without a window: each one is in the database as soon as it is done or undone."""

from __future__ import annotations

from wsad_core.project import Project
from wsad_studio.commands import Editor


def reopened(root):
    """A fresh connection to the project's database, as another process would see it."""
    return Project.open(root)


def clip_labels(root, start, end):
    with reopened(root) as project:
        found = [c for c in project.clips(video="walk") if abs(c.start - start) < 1e-6 and abs(c.end - end) < 1e-6]
        return None if not found else (found[0].labels, found[0].labelled)


def test_toggling_a_label_on_the_clip_under_the_playhead_is_saved_and_undoable(state, studio_project):
    editor = Editor(state)
    whole = state.current_clip()
    assert (whole.start, whole.kind) == (0.0, "video") and not whole.labelled
    assert editor.toggle_label("wave")
    assert clip_labels(studio_project, 0.0, 3.0) == (("wave",), True)
    assert editor.toggle_label("walk") and editor.toggle_label("wave")
    assert clip_labels(studio_project, 0.0, 3.0) == (("walk",), True)
    assert state.current_clip().labels == ("walk",)
    editor.undo()
    assert clip_labels(studio_project, 0.0, 3.0) == (("walk", "wave"), True)
    editor.undo()
    editor.undo()
    assert clip_labels(studio_project, 0.0, 3.0) == ((), False)
    editor.redo()
    assert clip_labels(studio_project, 0.0, 3.0) == (("wave",), True)


def test_marks_make_an_interval_clip_from_in_frame_to_end_of_out_frame(state, studio_project):
    editor = Editor(state)
    state.set_frame(10)
    state.set_mark_in()
    state.set_frame(34)
    state.set_mark_out()
    assert state.marked_span() == (0.4, 1.4)
    assert editor.commit_interval()
    assert state.mark_in is None and state.mark_out is None
    state.set_frame(20)
    assert (state.current_clip().start, state.current_clip().end) == (0.4, 1.4)
    assert editor.toggle_label_key("3")
    assert clip_labels(studio_project, 0.4, 1.4) == (("sit",), True)
    assert clip_labels(studio_project, 0.0, 3.0) == ((), False)


def test_undo_of_a_new_clip_and_its_labels_then_redo_finds_the_clip_again(state, studio_project):
    editor = Editor(state)
    state.set_mark_in(50)
    state.set_mark_out(74)
    assert editor.commit_interval()
    state.set_frame(60)
    editor.toggle_label("walk")
    editor.undo()
    editor.undo()
    assert clip_labels(studio_project, 2.0, 3.0) is None
    editor.redo()
    editor.redo()
    assert clip_labels(studio_project, 2.0, 3.0) == (("walk",), True)


def test_split_into_sub_clips_and_undo(state, studio_project):
    editor = Editor(state)
    assert editor.split_video(1.0)
    with reopened(studio_project) as project:
        spans = [(c.start, c.end, c.kind) for c in project.clips(video="walk")]
    assert spans == [(0.0, 1.0, "subclip"), (0.0, 3.0, "video"), (1.0, 2.0, "subclip"), (2.0, 3.0, "subclip")]
    state.set_frame(30)
    assert (state.current_clip().start, state.current_clip().end) == (1.0, 2.0)
    assert state.jump_to_clip(1) == 50 and state.jump_to_clip(-1) == 25
    assert not editor.split_video(1.0), "nothing new to split: nothing on the undo stack"
    assert editor.stack.count() == 1
    editor.undo()
    with reopened(studio_project) as project:
        assert [c.kind for c in project.clips(video="walk")] == ["video"]


def test_a_failing_edit_is_reported_and_not_kept_on_the_stack(state):
    editor = Editor(state)
    errors = []
    state.error.connect(errors.append)
    state.project.remove_label("sit")
    assert not editor.toggle_label("sit")
    assert editor.stack.count() == 0 and "unknown label 'sit'" in errors[0]
    state.select_video(None)
    assert not editor.toggle_label("walk") and "no clip" in errors[-1]


def test_label_keys_can_be_changed_cleared_and_restored(state, studio_project):
    editor = Editor(state)
    errors = []
    state.error.connect(errors.append)
    assert editor.set_label_key("sit", "S")
    assert editor.toggle_label_key("s") and state.current_clip().labels == ("sit",)
    assert not editor.set_label_key("walk", "i") and "cannot be a label key" in errors[-1]
    assert not editor.set_label_key("walk", "s"), "another label has it"
    assert "already used by label 'sit'" in errors[-1]
    assert editor.set_label_key("wave", None)
    with reopened(studio_project) as project:
        assert {l.name: l.shortcut for l in project.labels()} == {"walk": "1", "wave": None, "sit": "s"}
    editor.undo()
    editor.undo()
    editor.undo()
    with reopened(studio_project) as project:
        assert {l.name: l.shortcut for l in project.labels()} == {"walk": "1", "wave": "2", "sit": "3"}
    assert [l.shortcut for l in state.labels] == ["1", "2", "3"]


def test_removing_an_interval_clip_and_undoing_it_keeps_its_labels(state, studio_project):
    editor = Editor(state)
    state.set_mark_in(25)
    state.set_mark_out(49)
    editor.commit_interval()
    state.set_frame(30)
    editor.toggle_label("wave")
    assert editor.remove_clip()
    assert clip_labels(studio_project, 1.0, 2.0) is None
    assert state.current_clip().kind == "video"
    assert not editor.remove_clip(), "the whole-video clip is not removed from the timeline"
    editor.undo()
    assert clip_labels(studio_project, 1.0, 2.0) == (("wave",), True)


def test_an_edit_on_a_clip_another_process_removed_is_reported(state, studio_project):
    editor = Editor(state)
    state.set_mark_in(25)
    state.set_mark_out(49)
    editor.commit_interval()
    state.set_frame(30)
    editor.toggle_label("walk")
    errors = []
    state.error.connect(errors.append)
    with reopened(studio_project) as other:
        other.remove_clip(next(c.id for c in other.clips(video="walk") if c.kind == "interval"))
    editor.undo()
    assert "is gone" in errors[-1]
    assert clip_labels(studio_project, 1.0, 2.0) is None, "not made again behind the user's back"


def test_the_clip_under_the_playhead_holds_the_frames_training_puts_in_its_bag(state):
    """Sub-clips of 0.7 s at 25 fps start and end between frames: the studio's current clip
    for frame f must be the one whose bag (wsad_core.mil.bags: [ceil(start·fps), ceil(end·fps)))
    holds f."""
    import math

    Editor(state).split_video(0.7)
    subclips = [c for c in state.clips if c.kind == "subclip"]
    for frame in range(state.frame_count):
        state.set_frame(frame)
        in_bag = [
            c for c in subclips
            if math.ceil(c.start * 25 - 1e-6) <= frame < math.ceil(c.end * 25 - 1e-6)
        ]
        assert [state.current_clip()] == in_bag, frame


def test_undoing_an_edit_of_another_video_shows_that_video_at_the_clip(state, studio_project):
    editor = Editor(state)
    state.set_mark_in(30)
    state.set_mark_out(40)
    editor.commit_interval()
    state.set_frame(35)
    editor.toggle_label("wave")
    state.select_video(None)
    editor.undo()
    assert state.video.name == "walk" and state.frame == 30
    assert clip_labels(studio_project, 1.2, 1.64) == ((), False)
