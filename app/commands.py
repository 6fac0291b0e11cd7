"""Undoable edits: each one is written to the project database the moment it is done or undone.

Commands name clips by (video, start, end) rather than by id, because undoing the creation of a
clip deletes its row and redoing it makes a new row with a new id; later commands on the stack
still find "their" clip by its span. :class:`Editor` is the one entry point the window, its key
bindings and the tests use, in the spirit of SLEAP's ``CommandContext``.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from wsad_core.errors import ProjectError, WsadError
from wsad_core.project import ClipRecord, Project
from wsad_core.project.clips import TIME_TOLERANCE
from wsad_core.project.labels import SHORTCUT_KEYS

from wsad_studio.state import AppState

Span = tuple[int, float, float]


def _span(clip: ClipRecord) -> Span:
    return clip.video_id, clip.start, clip.end


def _describe(span: Span) -> str:
    return f"{span[1]:.2f}–{span[2]:.2f} s"


class ProjectCommand(QUndoCommand):
    """A command that writes through ``state.project`` and then refreshes the state.

    A failing write (another process removed the clip, a label was deleted…) marks the command
    obsolete so the stack drops it, and the error is reported through ``state.error``.
    """

    def __init__(self, state: AppState, text: str) -> None:
        super().__init__(text)
        self.state = state
        self.failed = False
        self.focus: tuple[int, float] | None = None

    @property
    def project(self) -> Project:
        assert self.state.project is not None, "commands need an open project"
        return self.state.project

    def redo(self) -> None:
        self._guarded(self.apply, "saved")

    def undo(self) -> None:
        self._guarded(self.revert, "undone")

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def _guarded(self, action, verb: str) -> None:  # noqa: ANN001
        self._bring_into_view()
        try:
            action()
        except WsadError as exc:
            self.failed = True
            self.setObsolete(True)
            self.state.error.emit(f"{self.text()}: {exc}")
        else:
            self.state.saved.emit(f"{self.text()} — {verb}")
        finally:
            self.state.refresh_clips()

    def _bring_into_view(self) -> None:
        """Undoing or redoing an edit of another video shows that video at the edited clip."""
        if self.focus is None:
            return
        video_id, seconds = self.focus
        if self.state.video is None or self.state.video.id != video_id:
            try:
                self.state.select_video(video_id)
            except WsadError:
                return
            self.state.set_frame(self.state.frame_at(seconds))

    def clip(self, span: Span, *, create: bool = False) -> ClipRecord:
        """The clip with this span; made when ``create``, else missing is an error (someone
        else removed it) rather than silently making it again."""
        video_id, start, end = span
        if create:
            return self.project.add_clip(video_id, start, end)
        for clip in self.project.clips(video=video_id):
            if abs(clip.start - start) <= TIME_TOLERANCE and abs(clip.end - end) <= TIME_TOLERANCE:
                return clip
        raise ProjectError(f"the clip {_describe(span)} is gone")


class ToggleLabel(ProjectCommand):
    """Add a label to a clip, or remove it when the clip has it."""

    def __init__(self, state: AppState, clip: ClipRecord, label: str) -> None:
        verb = "Remove" if label in clip.labels else "Add"
        super().__init__(state, f"{verb} '{label}' on {_describe(_span(clip))}")
        self.span, self.label = _span(clip), label
        self.focus = (clip.video_id, clip.start)
        self.before_labels, self.before_labelled = clip.labels, clip.labelled

    def apply(self) -> None:
        clip = self.clip(self.span)
        if self.label in clip.labels:
            self.project.remove_clip_label(clip.id, self.label)
        else:
            self.project.add_clip_label(clip.id, self.label)

    def revert(self) -> None:
        clip = self.clip(self.span)
        if self.before_labelled:
            self.project.set_clip_labels(clip.id, list(self.before_labels))
        else:
            self.project.clear_clip_labels(clip.id)


class SetClipLabels(ProjectCommand):
    """Give a clip exactly these labels (empty: "no action", a negative bag), or forget its
    labelling (None: not labelled yet)."""

    def __init__(self, state: AppState, clip: ClipRecord, labels: tuple[str, ...] | None) -> None:
        what = "not labelled" if labels is None else (", ".join(labels) or "no action")
        super().__init__(state, f"Mark {_describe(_span(clip))} as {what}")
        self.span, self.labels = _span(clip), labels
        self.focus = (clip.video_id, clip.start)
        self.before_labels, self.before_labelled = clip.labels, clip.labelled

    def apply(self) -> None:
        self._set(self.labels)

    def revert(self) -> None:
        self._set(self.before_labels if self.before_labelled else None)

    def _set(self, labels: tuple[str, ...] | None) -> None:
        clip = self.clip(self.span)
        if labels is None:
            self.project.clear_clip_labels(clip.id)
        else:
            self.project.set_clip_labels(clip.id, list(labels))


class AddClip(ProjectCommand):
    """Create an interval clip; undo deletes it (with any labels set on it since)."""

    def __init__(self, state: AppState, video_id: int, start: float, end: float) -> None:
        super().__init__(state, f"Add clip {start:.2f}–{end:.2f} s")
        self.span: Span = (video_id, start, end)
        self.focus = (video_id, start)

    def apply(self) -> None:
        self.clip(self.span, create=True)

    def revert(self) -> None:
        self.project.remove_clip(self.clip(self.span).id)


class RemoveClip(ProjectCommand):
    """Delete an interval clip; undo makes it again with the labels it had."""

    def __init__(self, state: AppState, clip: ClipRecord) -> None:
        super().__init__(state, f"Remove clip {_describe(_span(clip))}")
        self.span, self.labels, self.labelled = _span(clip), clip.labels, clip.labelled
        self.focus = (clip.video_id, clip.start)

    def apply(self) -> None:
        self.project.remove_clip(self.clip(self.span).id)

    def revert(self) -> None:
        clip = self.clip(self.span, create=True)
        if self.labelled:
            self.project.set_clip_labels(clip.id, list(self.labels))


class SplitVideo(ProjectCommand):
    """Cut a video into fixed-length sub-clips; undo deletes the ones this split created."""

    def __init__(self, state: AppState, video_id: int, seconds: float) -> None:
        super().__init__(state, f"Split into {seconds:g} s sub-clips")
        self.video_id, self.seconds = video_id, seconds
        self.focus = (video_id, 0.0)
        self.created: list[Span] = []

    def apply(self) -> None:
        before = {clip.id for clip in self.project.clips(video=self.video_id)}
        made = self.project.split_videos(self.seconds, [self.video_id])
        self.created = [_span(clip) for clip in made if clip.id not in before]
        if not self.created:
            raise WsadError(f"already split into {self.seconds:g} s sub-clips")

    def revert(self) -> None:
        for span in self.created:
            self.project.remove_clip(self.clip(span).id)


class SetLabelKey(ProjectCommand):
    """Change the key that toggles a label; undo gives the old key back."""

    def __init__(self, state: AppState, label: str, before: str | None, after: str | None) -> None:
        super().__init__(state, f"Key of '{label}': {after or 'none'}")
        self.label, self.before, self.after = label, before, after

    def apply(self) -> None:
        self.project.set_label_shortcut(self.label, self.after)

    def revert(self) -> None:
        self.project.set_label_shortcut(self.label, self.before)

    def _guarded(self, action, verb: str) -> None:  # noqa: ANN001
        super()._guarded(action, verb)
        self.state.refresh_labels()


class Editor:
    """What a labeller does, as undoable commands on one stack; returns whether it did it."""

    def __init__(self, state: AppState, stack: QUndoStack | None = None) -> None:
        self.state = state
        self.stack = stack if stack is not None else QUndoStack()

    def toggle_label(self, name: str) -> bool:
        clip = self.state.current_clip()
        if clip is None:
            self.state.error.emit("no clip under the playhead: mark one with I/O and Enter, or split")
            return False
        return self._push(ToggleLabel(self.state, clip, name))

    def mark_no_action(self) -> bool:
        """Label the current clip as holding none of the actions (a negative bag)."""
        return self._set_current((), "no action")

    def clear_labels(self) -> bool:
        """Forget the current clip's labelling: it goes back to "not labelled"."""
        return self._set_current(None, "not labelled")

    def _set_current(self, labels: tuple[str, ...] | None, what: str) -> bool:
        clip = self.state.current_clip()
        if clip is None:
            self.state.error.emit("no clip under the playhead")
            return False
        if (clip.labelled, clip.labels) == (labels is not None, labels or ()):
            self.state.error.emit(f"the clip is already {what}")
            return False
        return self._push(SetClipLabels(self.state, clip, labels))

    def accept_suggestions(self) -> bool:
        """Add the labels the shown run suggests for the current clip."""
        clip, suggested = self.state.current_clip(), self.state.suggestions()
        if clip is None or not suggested:
            self.state.error.emit("no suggested labels for this clip")
            return False
        return self._push(SetClipLabels(self.state, clip, tuple(sorted({*clip.labels, *suggested}))))

    def toggle_label_key(self, key: str) -> bool:
        """Toggle the label whose shortcut is ``key`` (case-insensitive)."""
        label = next((l for l in self.state.labels if (l.shortcut or "").lower() == key.lower()), None)
        return label is not None and self.toggle_label(label.name)

    def commit_interval(self) -> bool:
        """Make a clip of the in/out marks (the playhead stands in for a missing one)."""
        span = self.state.marked_span()
        if span is None or self.state.video is None:
            self.state.error.emit("set an in mark (I) or an out mark (O) first")
            return False
        if any(
            abs(c.start - span[0]) <= TIME_TOLERANCE and abs(c.end - span[1]) <= TIME_TOLERANCE
            for c in self.state.clips
        ):
            self.state.clear_marks()
            return False
        done = self._push(AddClip(self.state, self.state.video.id, *span))
        if done:
            self.state.clear_marks()
        return done

    def set_label_key(self, name: str, key: str | None) -> bool:
        """Bind ``key`` (1–9 or a letter other than the studio's I and O; None: no key)."""
        key = key.lower() if key else None
        if key is not None and key not in SHORTCUT_KEYS:
            self.state.error.emit(f"{key!r} cannot be a label key: use 1–9 or a letter other than i and o")
            return False
        label = next((l for l in self.state.labels if l.name == name), None)
        if label is None or label.shortcut == key:
            return False
        return self._push(SetLabelKey(self.state, name, label.shortcut, key))

    def remove_clip(self) -> bool:
        """Delete the interval clip under the playhead (sub-clips go with undoing their split)."""
        clip = self.state.current_clip()
        if clip is None or clip.kind != "interval":
            self.state.error.emit("only an interval clip (made with I/O and Enter) can be removed")
            return False
        return self._push(RemoveClip(self.state, clip))

    def split_video(self, seconds: float) -> bool:
        if self.state.video is None:
            return False
        return self._push(SplitVideo(self.state, self.state.video.id, seconds))

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def _push(self, command: ProjectCommand) -> bool:
        if self.state.project is None:
            return False
        self.stack.push(command)  # an obsolete command is deleted here: read only Python state
        return not command.failed
