"""Observable application state, testable without a window.

Widgets listen to the signals; commands (:mod:`wsad_studio.commands`) change the project and
ask the state to reload what they touched. Nothing here draws.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from wsad_core.project import ClipRecord, LabelRecord, Project, VideoRecord
from wsad_core.project.clips import clip_at, neighbour_clip_start
from wsad_core.project.labels import FrameBox

from wsad_studio.suggestions import Suggester


class AppState(QObject):
    """The open project, the video on screen, the playhead and the in/out marks."""

    project_changed = Signal(object)
    videos_changed = Signal(list)
    labels_changed = Signal(list)
    video_changed = Signal(object)
    frame_changed = Signal(int)
    clips_changed = Signal(list)
    marks_changed = Signal(object, object)
    suggestions_changed = Signal()
    video_labels_changed = Signal(int, tuple)
    saved = Signal(str)
    error = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.videos: list[VideoRecord] = []
        self.labels: list[LabelRecord] = []
        self.video: VideoRecord | None = None
        self.frame = 0
        self.clips: list[ClipRecord] = []
        self.ground_truth: dict[int, list[FrameBox]] = {}
        self.mark_in: int | None = None
        self.mark_out: int | None = None
        self._decoded_frame_count: int | None = None
        self.suggester: Suggester | None = None
        self.video_filter: dict[str, str | None] = {}
        self.video_labels: dict[int, tuple[str, ...]] = {}

    # Project -----------------------------------------------------------------------------
    def open_project(self, folder: str | Path, *, create: bool = False) -> Project:
        project = Project.create(folder) if create else Project.open(folder)
        self.select_video(None)
        if self.project is not None:
            self.project.close()
        self.project = project
        self.video_filter = {}
        self.project_changed.emit(project)
        self.refresh_labels()
        self.refresh_videos()
        return project

    def refresh_videos(self) -> None:
        self.videos = [] if self.project is None else self.project.videos(**self.video_filter)
        self.video_labels = {} if self.project is None else self.project.labels_by_video()
        self.videos_changed.emit(self.videos)

    def filter_videos(
        self, *, status: str | None = None, label: str | None = None, text: str | None = None
    ) -> None:
        """List only the videos with this status, a clip with this label, this text in the
        name or path (None or empty: any)."""
        self.video_filter = {"status": status or None, "label": label or None, "text": text or None}
        self.refresh_videos()

    def refresh_labels(self) -> None:
        self.labels = [] if self.project is None else self.project.labels()
        self.labels_changed.emit(self.labels)

    def close(self) -> None:
        if self.project is not None:
            self.select_video(None)
            self.project.close()
            self.project = None
            self.project_changed.emit(None)
            self.refresh_videos()
            self.refresh_labels()

    # Video and playhead ------------------------------------------------------------------
    def select_video(self, key: str | int | None) -> VideoRecord | None:
        """Show a video (by name or id; None shows nothing) with the playhead on frame 0."""
        if key is None or self.project is None:
            self.video, self.clips, self.ground_truth = None, [], {}
        else:
            self.video = self.project.video(key)
            self.clips = self.project.clips(video=self.video.id)
            self.ground_truth = self.project.ground_truth_boxes(self.video.id)
        self.frame = 0
        self.mark_in = self.mark_out = None
        self._decoded_frame_count = None
        self.video_changed.emit(self.video)
        self.clips_changed.emit(self.clips)
        self.marks_changed.emit(None, None)
        self.frame_changed.emit(0)
        return self.video

    @property
    def fps(self) -> float:
        return (self.video.fps if self.video is not None else None) or 25.0

    @property
    def frame_count(self) -> int:
        if self._decoded_frame_count is not None:
            return self._decoded_frame_count
        return (self.video.frame_count if self.video is not None else None) or 0

    def set_decoded_frame_count(self, count: int) -> None:
        """The frames the reader found in the file, which is what frame indices mean; a
        container's declared count (what probing stored) can be off by a few."""
        self._decoded_frame_count = count
        self.set_frame(self.frame)

    @property
    def time(self) -> float:
        """The playhead in seconds: the start of the frame under it."""
        return self.time_of(self.frame)

    def time_of(self, frame: int) -> float:
        return frame / self.fps

    def frame_at(self, seconds: float) -> int:
        """The first frame that starts at or after ``seconds`` (so it lies inside a clip
        starting there), within the video."""
        return self.clamp(math.ceil(seconds * self.fps - 1e-6))

    def clamp(self, frame: int) -> int:
        return max(0, min(int(frame), max(self.frame_count - 1, 0)))

    def set_frame(self, frame: int) -> int:
        frame = self.clamp(frame)
        if frame != self.frame:
            self.frame = frame
            self.frame_changed.emit(frame)
        return frame

    def step(self, frames: int) -> int:
        return self.set_frame(self.frame + frames)

    # Clips -------------------------------------------------------------------------------
    def refresh_clips(self) -> None:
        self.clips = [] if self.project is None or self.video is None else self.project.clips(
            video=self.video.id
        )
        self.clips_changed.emit(self.clips)
        if self.video is not None:
            labels = tuple(sorted({name for clip in self.clips for name in clip.labels}))
            if labels != self.video_labels.get(self.video.id, ()):
                self.video_labels[self.video.id] = labels
                self.video_labels_changed.emit(self.video.id, labels)

    def current_clip(self) -> ClipRecord | None:
        """The clip under the playhead (the shortest one when clips nest)."""
        return clip_at(self.clips, self.time)

    def set_suggester(self, suggester: Suggester | None) -> None:
        """Where label suggestions come from (a run's predictions), or None for none."""
        self.suggester = suggester
        self.suggestions_changed.emit()

    def suggestions(self) -> dict[str, float]:
        """Labels suggested for the clip under the playhead, with their scores."""
        clip = self.current_clip()
        if clip is None or self.suggester is None:
            return {}
        return self.suggester.for_clip(clip, self.fps, {label.name for label in self.labels})

    def jump_to_clip(self, step: int) -> int:
        """Move the playhead to the start of the next (``step`` > 0) or previous clip."""
        start = neighbour_clip_start(self.clips, self.time, step)
        return self.frame if start is None else self.set_frame(self.frame_at(start))

    def jump_to_unlabelled(self) -> int:
        """Move the playhead to the start of the next clip nobody labelled (wrapping around)."""
        waiting = sorted((c for c in self.clips if not c.labelled), key=lambda c: (c.start, c.end))
        later = [c for c in waiting if c.start > self.time + 1e-6]
        target = (later or waiting or [None])[0]
        return self.frame if target is None else self.set_frame(self.frame_at(target.start))

    # In/out marks ------------------------------------------------------------------------
    def set_mark_in(self, frame: int | None = None) -> None:
        self.mark_in = self.frame if frame is None else self.clamp(frame)
        self.marks_changed.emit(self.mark_in, self.mark_out)

    def set_mark_out(self, frame: int | None = None) -> None:
        self.mark_out = self.frame if frame is None else self.clamp(frame)
        self.marks_changed.emit(self.mark_in, self.mark_out)

    def clear_marks(self) -> None:
        self.mark_in = self.mark_out = None
        self.marks_changed.emit(None, None)

    def marked_span(self) -> tuple[float, float] | None:
        """Seconds from the start of the in frame to the end of the out frame (the playhead
        stands in for a missing mark); None without an in or out mark."""
        if self.video is None or (self.mark_in is None and self.mark_out is None):
            return None
        first = self.frame if self.mark_in is None else self.mark_in
        last = self.frame if self.mark_out is None else self.mark_out
        first, last = sorted((first, last))
        end = self.time_of(last + 1)
        if self.video.duration:
            end = min(end, self.video.duration)
        return self.time_of(first), end
