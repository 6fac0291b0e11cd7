"""Observable application state, testable without a window.

Widgets listen to the signals; commands change the state. Nothing here draws.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from wsad_core.project import Project, VideoRecord


class AppState(QObject):
    """The open project and what the studio shows of it."""

    project_changed = Signal(object)
    videos_changed = Signal(list)
    error = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.videos: list[VideoRecord] = []

    def open_project(self, folder: str | Path, *, create: bool = False) -> Project:
        project = Project.create(folder) if create else Project.open(folder)
        if self.project is not None:
            self.project.close()
        self.project = project
        self.project_changed.emit(project)
        self.refresh_videos()
        return project

    def refresh_videos(self) -> None:
        self.videos = [] if self.project is None else self.project.videos()
        self.videos_changed.emit(self.videos)

    def close(self) -> None:
        if self.project is not None:
            self.project.close()
            self.project = None
            self.project_changed.emit(None)
            self.refresh_videos()
