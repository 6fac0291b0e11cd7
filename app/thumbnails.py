"""Library thumbnails: decoded in a background thread when a row first shows, kept on disk in
the project's ``cache/thumbnails/`` (by content fingerprint) and in memory."""

from __future__ import annotations

import re
import threading
from collections import deque
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from wsad_core.errors import WsadError
from wsad_core.project import VideoRecord
from wsad_core.video.thumbnail import thumbnail

from wsad_studio.frame_source import to_qimage

THUMBNAIL_WIDTH = 64


def cache_name(video: VideoRecord) -> str:
    """A file name from the video's content fingerprint (so a moved file keeps its picture)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", video.fingerprint or f"id{video.id}") + ".png"


class _Worker(QObject):
    ready = Signal(int, QImage)

    def __init__(self) -> None:
        super().__init__()
        self.queue: deque[tuple[int, Path, Path]] = deque()
        self.lock = threading.Lock()

    @Slot()
    def drain(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    return
                video_id, source, cached = self.queue.pop()
            image = QImage(str(cached)) if cached.is_file() else QImage()
            if image.isNull():
                try:
                    image = to_qimage(thumbnail(source, THUMBNAIL_WIDTH))
                except (WsadError, OSError):
                    self.ready.emit(video_id, QImage())
                    continue
                cached.parent.mkdir(parents=True, exist_ok=True)
                image.save(str(cached))
            self.ready.emit(video_id, image)


class Thumbnails(QObject):
    """``get(video)`` answers from memory or asks the worker; ``ready(video_id)`` follows."""

    ready = Signal(int)
    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.folder: Path | None = None
        self._images: dict[int, QImage] = {}
        self._asked: set[int] = set()
        self._answered: set[int] = set()
        self._thread = QThread()
        self._thread.setObjectName("thumbnails")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.drain)
        self._worker.ready.connect(self._on_ready)
        self._thread.start()
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(self.shutdown)

    def set_folder(self, folder: Path | None) -> None:
        """Where thumbnails are kept (the project's cache); forgets the previous project's."""
        self.folder = folder
        self._images.clear()
        self._asked.clear()
        self._answered.clear()
        with self._worker.lock:
            self._worker.queue.clear()

    def get(self, video: VideoRecord) -> QImage | None:
        image = self._images.get(video.id)
        if image is None and video.id not in self._asked and video.path and video.status == "ok" and self.folder:
            self._asked.add(video.id)
            with self._worker.lock:
                self._worker.queue.append((video.id, Path(video.path), self.folder / cache_name(video)))
            self._wake.emit()
        return image

    def pending(self) -> int:
        """Thumbnails asked for and not answered yet."""
        return len(self._asked - self._answered)

    def shutdown(self) -> None:
        with self._worker.lock:
            self._worker.queue.clear()
        self._thread.quit()
        self._thread.wait()

    def _on_ready(self, video_id: int, image: QImage) -> None:
        """A thumbnail arrived (a null image: the video gave none, it is not asked again)."""
        if video_id in self._asked:
            self._answered.add(video_id)
            if not image.isNull():
                self._images[video_id] = image
                self.ready.emit(video_id)
