"""Videos small enough are decoded once and served from memory.

Training reads K strided frames around a tubelet centre, over and over; on short, small
videos (the synthetic world, UCF101-24 clips) decoding the whole video once is far cheaper
than seeking to a keyframe and decoding forward for every clip. Larger videos keep using a
seeking :class:`~wsad_core.video.VideoReader`.

When the caller names the model's ``short_side``, frames are resized once as they are
cached (:func:`~wsad_core.data.transforms.resize_frames`: bilinear, rounded to 8 bits,
as every clip is), so that every clip read later skips the resize: it is the largest cost of
a clip once decoding is amortised, and the cached video takes less memory.

When the budget is full, later videos are read by seeking instead of evicting earlier ones:
training visits every video once an epoch in a new order, and least-recently-used eviction
under such a cycle misses almost always (each video is evicted before it comes round again),
so a working set a little over the budget would be decoded whole again every epoch. Keeping
the first videos gives a hit rate of budget / working set.

:meth:`VideoCache.preload` decodes a list of videos up front, on several threads. Training
calls it before its loader starts worker processes: forked workers then share the decoded
frames (copy-on-write, never written), where each worker would otherwise decode every video it
happens to meet once, and a batch sent to a worker that has not met its video yet waits for a
whole decode (with W workers a video is decoded up to W times, spread over W epochs).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from wsad_core.data.transforms import resize_frames, resized_size
from wsad_core.video import VideoInfo, VideoReader

# Per process (workers forked after a preload share what it decoded): the decoded videos kept,
# the largest one worth decoding whole, and how many videos read by seeking stay open.
DEFAULT_BUDGET_BYTES = 768 << 20
MAX_VIDEO_BYTES = 128 << 20
MAX_OPEN_READERS = 32


class DecodedVideo:
    """All frames of a video as one (N, H, W, 3) array, with the reader's clip semantics."""

    def __init__(self, frames: np.ndarray) -> None:
        self.frames = frames

    @property
    def nbytes(self) -> int:
        return self.frames.nbytes

    def read_frame(self, index: int) -> np.ndarray:
        return self.frames[index]

    def read_clip(self, centre: int, n: int, stride: int = 1) -> np.ndarray:
        indices = np.clip(centre + (np.arange(n) - n // 2) * stride, 0, len(self.frames) - 1)
        return self.frames[indices]

    def close(self) -> None:
        self.frames = np.zeros((0, 1, 1, 3), np.uint8)


class VideoCache:
    """Readers by video path: decoded in memory while the budget lasts, else kept open for seeking."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES, max_video_bytes: int = MAX_VIDEO_BYTES) -> None:
        self.budget = budget_bytes
        self.max_video = max_video_bytes
        self._decoded: dict[tuple[str, int | None], DecodedVideo] = {}
        self._decoded_bytes = 0
        self._readers: OrderedDict[str, VideoReader] = OrderedDict()

    def _reader(self, path: str) -> VideoReader:
        reader = self._readers.get(path)
        if reader is None:
            reader = self._readers[path] = VideoReader(path)
            while len(self._readers) > MAX_OPEN_READERS:
                self._readers.popitem(last=False)[1].close()
        self._readers.move_to_end(path)
        return reader

    def get(self, path: str, short_side: int | None = None) -> DecodedVideo | VideoReader:
        """The video at ``path``: decoded whole (resized to ``short_side`` when given) if it is
        small and fits in what is left of the budget, else a seeking reader."""
        key = (path, short_side)
        if key in self._decoded:
            return self._decoded[key]
        reader = self._reader(path)
        if self._too_large(reader.info) or self._decoded_bytes + _stored_bytes(reader.info, short_side) > self.budget:
            return reader
        decoded = self._keep(key, _decode(reader, short_side))
        self._readers.pop(path).close()
        return decoded

    def _too_large(self, info: VideoInfo) -> bool:
        """Worth reading by seeking rather than decoding whole, whatever the budget."""
        return info.frame_count * info.width * info.height * 3 > self.max_video

    def _keep(self, key: tuple[str, int | None], decoded: DecodedVideo) -> DecodedVideo:
        self._decoded[key] = decoded
        self._decoded_bytes += decoded.nbytes
        return decoded

    def preload(self, paths: Sequence[str], short_side: int | None = None, threads: int = 1) -> int:
        """Decode ``paths`` (in order, while the budget lasts, skipping those :meth:`get`
        would read by seeking) on ``threads`` threads; returns how many are now decoded."""
        chosen, planned = [], self._decoded_bytes
        for path in dict.fromkeys(paths):
            if (path, short_side) in self._decoded:
                continue
            # Only the header is read here; the decoding threads open the file again. Keeping
            # every chosen reader open until then would hold one file per video (thousands).
            with VideoReader(path) as reader:
                info = reader.info
            if self._too_large(info):
                continue
            stored = _stored_bytes(info, short_side)
            if planned + stored > self.budget:
                break  # the budget is spent: the rest is read by seeking (no need to open them all)
            chosen.append(path)
            planned += stored

        def decode(path: str) -> DecodedVideo:
            with VideoReader(path) as reader:
                return _decode(reader, short_side)

        with ThreadPoolExecutor(max(1, threads)) as pool:  # PyAV decodes without the GIL
            for path, decoded in zip(chosen, pool.map(decode, chosen)):
                self._keep((path, short_side), decoded)
        return sum(1 for path in dict.fromkeys(paths) if (path, short_side) in self._decoded)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
        self._decoded.clear()
        self._decoded_bytes = 0


def _decode(reader: VideoReader, short_side: int | None) -> DecodedVideo:
    frames = np.stack([frame for _, frame in reader.iter_frames()])
    return DecodedVideo(frames if short_side is None else resize_frames(frames, short_side))


def _stored_bytes(info: VideoInfo, short_side: int | None) -> int:
    """Bytes of the video decoded whole at ``short_side``."""
    height, width = (info.height, info.width) if short_side is None else resized_size(info.height, info.width, short_side)
    return info.frame_count * height * width * 3
