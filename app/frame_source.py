"""Frames for the player, decoded off the GUI thread.

One worker thread owns a :class:`wsad_core.video.VideoReader` (so frame ``i`` on screen is the
frame the training pipeline reads for ``i``). Requests go through a one-slot mailbox: a new
request replaces one the worker has not started yet, so after a burst of seeks only the latest is
decoded ("latest request wins"). Decoded frames are kept in a small LRU cache on the GUI thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from wsad_core.errors import WsadError
from wsad_core.video import VideoReader

CACHE_FRAMES = 64


def to_qimage(rgb: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 RGB array as a QImage that owns a copy of the pixels."""
    rgb = np.ascontiguousarray(rgb)
    height, width, _ = rgb.shape
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def to_array(image: QImage) -> np.ndarray:
    """A QImage's pixels as an (H, W, 3) uint8 RGB array (for tests and checks)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : 3 * width].reshape(height, width, 3).copy()


class _Mailbox:
    """The one pending request, shared by the GUI thread and the worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: tuple[int, Path, int] | None = None
        self._busy = False

    def put(self, request: tuple[int, Path, int]) -> bool:
        """Leave a request; True when the worker is idle and must be woken."""
        with self._lock:
            self._pending = request
            wake, self._busy = not self._busy, True
            return wake

    def take(self) -> tuple[int, Path, int] | None:
        with self._lock:
            request, self._pending = self._pending, None
            if request is None:
                self._busy = False
            return request


class _Decoder(QObject):
    decoded = Signal(int, int, QImage)
    failed = Signal(int, int, str)
    opened = Signal(int, int)

    def __init__(self, mailbox: _Mailbox) -> None:
        super().__init__()
        self._mailbox = mailbox
        self._reader: VideoReader | None = None

    @Slot()
    def drain(self) -> None:
        while (request := self._mailbox.take()) is not None:
            index, path, generation = request
            try:
                reader, is_new = self._reader_for(path)
                image = to_qimage(reader.read_frame(index))
            except (WsadError, IndexError, OSError) as exc:
                self.failed.emit(generation, index, str(exc))
                continue
            if is_new:
                self.opened.emit(generation, reader.frame_count)
            self.decoded.emit(generation, index, image)

    @Slot()
    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _reader_for(self, path: Path) -> tuple[VideoReader, bool]:
        if self._reader is not None and self._reader.path == path:
            return self._reader, False
        self.close()
        self._reader = VideoReader(path)
        return self._reader, True


class FrameSource(QObject):
    """Asks for frames by index; ``frame_ready(index, image)`` answers the latest request.

    ``generation`` grows with each video opened, so a frame of the previous video that the
    worker finishes after a switch is never shown.
    """

    frame_ready = Signal(int, QImage)
    frame_failed = Signal(int, str)
    frame_count_known = Signal(int)
    _wake = Signal()
    _close = Signal()

    def __init__(self, cache_frames: int = CACHE_FRAMES) -> None:
        super().__init__()
        self._mailbox = _Mailbox()
        self._thread = QThread()
        self._thread.setObjectName("frame-decoder")
        self._decoder = _Decoder(self._mailbox)
        self._decoder.moveToThread(self._thread)
        self._wake.connect(self._decoder.drain)
        self._close.connect(self._decoder.close)
        self._decoder.decoded.connect(self._on_decoded)
        self._decoder.failed.connect(self._on_failed)
        self._decoder.opened.connect(self._on_opened)
        self._thread.start()
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._cache_frames = cache_frames
        self._path: Path | None = None
        self._generation = 0
        self.latest: int | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    def set_video(self, path: str | Path | None) -> None:
        self._path = None if path is None else Path(path)
        self._generation += 1
        self._cache.clear()
        self.latest = None

    def request(self, index: int) -> None:
        """Ask for frame ``index``; a cached frame is answered at once, before returning."""
        if self._path is None:
            return
        self.latest = index
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            self.frame_ready.emit(index, cached)
            return
        if self._mailbox.put((index, self._path, self._generation)):
            self._wake.emit()

    def cached(self, index: int) -> QImage | None:
        return self._cache.get(index)

    def shutdown(self) -> None:
        """Stop the worker thread (waits for the frame being decoded)."""
        if self._thread.isRunning():
            self._mailbox.take()
            self._close.emit()
            self._thread.quit()
            self._thread.wait()

    def _on_decoded(self, generation: int, index: int, image: QImage) -> None:
        if generation != self._generation:
            return
        self._cache[index] = image
        self._cache.move_to_end(index)
        while len(self._cache) > self._cache_frames:
            self._cache.popitem(last=False)
        if index == self.latest:
            self.frame_ready.emit(index, image)

    def _on_failed(self, generation: int, index: int, message: str) -> None:
        if generation == self._generation and index == self.latest:
            self.frame_failed.emit(index, message)

    def _on_opened(self, generation: int, frame_count: int) -> None:
        if generation == self._generation:
            self.frame_count_known.emit(frame_count)
