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
It reports what it held (:class:`Preloaded`), so that training can say when the budget was
too small. Training sizes the budget from the memory available (:func:`memory_budget`) unless
told otherwise: at the paper's 224 px a few hundred short videos take several GB, and videos
that do not fit are decoded again for every clip (3.5× fewer clips per second was measured).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wsad_core.data.transforms import resize_frames, resized_size
from wsad_core.video import VideoInfo, VideoReader

# Per process (workers forked after a preload share what it decoded): the decoded videos kept,
# the largest one worth decoding whole, and how many videos read by seeking stay open.
DEFAULT_BUDGET_BYTES = 768 << 20
MAX_VIDEO_BYTES = 128 << 20
MAX_OPEN_READERS = 32
# The share of the memory available at start that a sized budget may take (split between
# the training processes of a machine); the model, the batches and the OS keep the rest.
MEMORY_SHARE = 0.5


def available_memory_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Memory the OS could give without swapping (Linux ``MemAvailable``; free pages
    elsewhere), or ``None`` when it cannot tell."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def memory_budget(processes: int = 1, available: int | None = None) -> int:
    """A decoded-video budget for each of ``processes`` processes on this machine:
    :data:`MEMORY_SHARE` of ``available`` bytes (by default what the OS reports now), or
    :data:`DEFAULT_BUDGET_BYTES` split the same way when the OS cannot tell."""
    if available is None:
        available = available_memory_bytes()
    if available is None:
        return DEFAULT_BUDGET_BYTES // max(1, processes)
    return int(available * MEMORY_SHARE) // max(1, processes)


@dataclass(frozen=True)
class Preloaded:
    """What :meth:`VideoCache.preload` left in memory.

    ``videos`` distinct videos were asked for; ``held`` are decoded, taking ``held_bytes``;
    ``over_budget`` did not fit in the budget and are read by seeking (videos too large to
    be worth decoding whole are not counted there, unless they come after the budget ran out:
    those are counted unopened). ``needed_bytes`` estimates the budget that would hold them
    all (the sizes of videos past the budget are extrapolated from those before it, rather
    than opening every file).
    """

    videos: int
    held: int
    held_bytes: int
    over_budget: int
    needed_bytes: int

    @property
    def complete(self) -> bool:
        return self.over_budget == 0


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

    def preload(self, paths: Sequence[str], short_side: int | None = None, threads: int = 1) -> Preloaded:
        """Decode ``paths`` (in order, while the budget lasts, skipping those :meth:`get`
        would read by seeking) on ``threads`` threads; says what is now held."""
        unique = list(dict.fromkeys(paths))
        chosen, planned, sizes, over_budget = [], self._decoded_bytes, [], 0
        for index, path in enumerate(unique):
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
                # The budget is spent: the rest is read by seeking (no need to open them all).
                over_budget = sum((later, short_side) not in self._decoded for later in unique[index:])
                sizes.append(stored)
                break
            chosen.append(path)
            sizes.append(stored)
            planned += stored

        def decode(path: str) -> DecodedVideo:
            with VideoReader(path) as reader:
                return _decode(reader, short_side)

        with ThreadPoolExecutor(max(1, threads)) as pool:  # PyAV decodes without the GIL
            for path, decoded in zip(chosen, pool.map(decode, chosen)):
                self._keep((path, short_side), decoded)
        held = [path for path in unique if (path, short_side) in self._decoded]
        held_bytes = sum(self._decoded[(path, short_side)].nbytes for path in held)
        mean_size = sum(sizes) / len(sizes) if sizes else 0
        return Preloaded(len(unique), len(held), held_bytes, over_budget,
                         held_bytes + round(mean_size * over_budget))

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
