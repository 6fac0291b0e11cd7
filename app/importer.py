"""Importing videos off the GUI thread, with progress, so the window never blocks.

The worker opens its own connection to the project (SQLite in WAL mode lets the studio keep
reading meanwhile); each file is committed on its own, as ``Project.import_videos`` does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from wsad_core.errors import WsadError
from wsad_core.project import Project


class _ImportWorker(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, root: Path, paths: list[Path]) -> None:
        super().__init__()
        self._root, self._paths = root, paths

    @Slot()
    def run(self) -> None:
        try:
            with Project.open(self._root) as project:
                report = project.import_videos(
                    self._paths, progress=lambda done, total, path: self.progress.emit(done, total, str(path))
                )
        except (WsadError, OSError) as exc:
            self.failed.emit(str(exc))
        else:
            self.finished.emit(report)


class VideoImport(QObject):
    """One import running in its own thread; ``finished(ImportReport)`` or ``failed(str)`` ends it."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, root: Path, paths: list[Path]) -> None:
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName("video-import")
        self._worker = _ImportWorker(root, paths)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._done)
        self._worker.failed.connect(self._fail)

    def start(self) -> None:
        self._thread.start()

    def wait(self) -> None:
        """Block until the import ends (closing the window waits for the file being imported)."""
        self._thread.quit()
        self._thread.wait()

    def _done(self, report: object) -> None:
        self.wait()
        self.finished.emit(report)

    def _fail(self, message: str) -> None:
        self.wait()
        self.failed.emit(message)
