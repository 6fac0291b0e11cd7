"""Frames for the player, decoded off the GUI thread.

One worker thread owns a :class:`wsad_core.video.VideoReader` (so frame ``i`` on screen is the
frame the training pipeline reads for ``i``). Requests go through a one-slot mailbox: a new
request replaces one the worker has not started yet, so after a burst of seeks only the latest is
decoded ("latest request wins"). Decoded frames are kept in an LRU cache on the GUI thread.

While no request waits, the worker decodes the neighbours of the last frame asked for: a few
ahead (decoding on is cheap) and then a few behind (one seek, then decoding on), so that
stepping either way is usually a cache hit. It checks the mailbox between frames, so a new
request waits for at most one frame's decoding. A step back that misses the cache decodes the
frames before it on the way (the seek lands on an earlier keyframe anyway), so the next steps
back are cache hits.
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

CACHE_BYTES = 256 * 2**20
PREFETCH_AHEAD = 8
PREFETCH_BEHIND = 12


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
    """The one pending request and the indices in the GUI thread's cache, shared with the worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: tuple[int, Path, int] | None = None
        self._busy = False
        self._cached: set[int] = set()

    def set_cached(self, index: int, cached: bool) -> None:
        with self._lock:
            (self._cached.add if cached else self._cached.discard)(index)

    def clear_cached(self) -> None:
        with self._lock:
            self._cached.clear()

    def is_cached(self, index: int) -> bool:
        with self._lock:
            return index in self._cached

    def put(self, request: tuple[int, Path, int]) -> bool:
        """Leave a request; True when the worker is idle and must be woken."""
        with self._lock:
            self._pending = request
            wake, self._busy = not self._busy, True
            return wake

    def waiting(self) -> bool:
        with self._lock:
            return self._pending is not None

    def take(self) -> tuple[int, Path, int] | None:
        with self._lock:
            request, self._pending = self._pending, None
            if request is None:
                self._busy = False
            return request


def neighbours(index: int, frame_count: int, ahead: int, behind: int) -> list[int]:
    """Frames worth decoding after ``index``: the next ones, then the previous ones in
    increasing order (one seek, then decoding on)."""
    following = range(index + 1, min(index + 1 + ahead, frame_count))
    preceding = range(max(index - behind, 0), index)
    return [*following, *preceding]


class _Decoder(QObject):
    decoded = Signal(int, int, QImage)
    failed = Signal(int, int, str)
    opened = Signal(int, int)

    def __init__(self, mailbox: _Mailbox, ahead: int, behind: int) -> None:
        super().__init__()
        self._mailbox = mailbox
        self._reader: VideoReader | None = None
        self._ahead, self._behind = ahead, behind
        self._previous: int | None = None

    @Slot()
    def drain(self) -> None:
        while (request := self._mailbox.take()) is not None:
            index, path, generation = request
            try:
                reader, is_new = self._reader_for(path)
                if is_new:
                    self._previous = None
                if self._previous is not None and 0 < self._previous - index <= self._behind:
                    self._decode_run_up(reader, index, generation)
                image = to_qimage(reader.read_frame(index))
            except (WsadError, IndexError, OSError) as exc:
                self.failed.emit(generation, index, str(exc))
                continue
            if is_new:
                self.opened.emit(generation, reader.frame_count)
            self._previous = index
            self.decoded.emit(generation, index, image)
            self._prefetch(reader, index, generation)

    def _decode_run_up(self, reader: VideoReader, index: int, generation: int) -> None:
        """Stepping back: decode and hand over the frames up to ``index`` in order."""
        for earlier in range(max(index - self._behind, 0), index):
            if not self._mailbox.is_cached(earlier):
                self.decoded.emit(generation, earlier, to_qimage(reader.read_frame(earlier)))

    def _prefetch(self, reader: VideoReader, index: int, generation: int) -> None:
        for neighbour in neighbours(index, reader.frame_count, self._ahead, self._behind):
            if self._mailbox.waiting():
                return
            if self._mailbox.is_cached(neighbour):
                continue
            try:
                image = to_qimage(reader.read_frame(neighbour))
            except (WsadError, IndexError, OSError):
                return
            self.decoded.emit(generation, neighbour, image)

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

    def __init__(
        self, cache_bytes: int = CACHE_BYTES, ahead: int = PREFETCH_AHEAD, behind: int = PREFETCH_BEHIND
    ) -> None:
        super().__init__()
        self._mailbox = _Mailbox()
        self._thread = QThread()
        self._thread.setObjectName("frame-decoder")
        self._decoder = _Decoder(self._mailbox, ahead, behind)
        self._decoder.moveToThread(self._thread)
        self._wake.connect(self._decoder.drain)
        self._close.connect(self._decoder.close)
        self._decoder.decoded.connect(self._on_decoded)
        self._decoder.failed.connect(self._on_failed)
        self._decoder.opened.connect(self._on_opened)
        self._thread.start()
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached_bytes = 0
        self._path: Path | None = None
        self._generation = 0
        self.latest: int | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    def set_video(self, path: str | Path | None) -> None:
        self._path = None if path is None else Path(path)
        self._generation += 1
        self.clear_cache()
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

    def clear_cache(self) -> None:
        self._cache.clear()
        self._cached_bytes = 0
        self._mailbox.clear_cached()

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
        if index not in self._cache:
            self._cache[index] = image
            self._cached_bytes += image.sizeInBytes()
            self._mailbox.set_cached(index, True)
        self._cache.move_to_end(index)
        while self._cached_bytes > self._cache_bytes and len(self._cache) > 1:
            dropped_index, dropped = self._cache.popitem(last=False)
            self._cached_bytes -= dropped.sizeInBytes()
            self._mailbox.set_cached(dropped_index, False)
        if index == self.latest:
            self.frame_ready.emit(index, image)

    def _on_failed(self, generation: int, index: int, message: str) -> None:
        if generation == self._generation and index == self.latest:
            self.frame_failed.emit(index, message)

    def _on_opened(self, generation: int, frame_count: int) -> None:
        if generation == self._generation:
            self.frame_count_known.emit(frame_count)
