"""Videos small enough are decoded once and served from memory.

Training reads K strided frames around a tubelet centre, over and over; on short, small
videos (the synthetic world, UCF101-24 clips) decoding the whole video once is far cheaper
than seeking to a keyframe and decoding forward for every clip. Larger videos keep using a
seeking :class:`~wsad_core.video.VideoReader`.

When the caller names the model's ``short_side``, frames are resized once as they are
cached (:func:`~wsad_core.data.transforms.resize_frames`: bilinear, rounded to 8 bits,
as every clip is), so that every clip read later skips the resize: it is the largest cost of
a clip once decoding is amortised, and the cached video takes less memory.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from wsad_core.data.transforms import resize_frames
from wsad_core.video import VideoReader

# Per worker process: the decoded videos kept, and the largest one worth decoding whole.
DEFAULT_BUDGET_BYTES = 768 << 20
MAX_VIDEO_BYTES = 128 << 20
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
    """Readers by video path: decoded in memory when small, else kept open for seeking."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES, max_video_bytes: int = MAX_VIDEO_BYTES) -> None:
        self.budget = budget_bytes
        self.max_video = max_video_bytes
        self._decoded: OrderedDict[tuple[str, int | None], DecodedVideo] = OrderedDict()
        self._readers: dict[str, VideoReader] = {}

    def get(self, path: str, short_side: int | None = None) -> DecodedVideo | VideoReader:
        """The video at ``path``; decoded whole (resized to ``short_side`` when given) if small."""
        key = (path, short_side)
        if key in self._decoded:
            self._decoded.move_to_end(key)
            return self._decoded[key]
        reader = self._readers.get(path)
        if reader is None:
            reader = self._readers[path] = VideoReader(path)
        info = reader.info
        size = info.frame_count * info.width * info.height * 3
        if size > self.max_video:
            return reader
        frames = np.stack([frame for _, frame in reader.iter_frames()])
        decoded = DecodedVideo(frames if short_side is None else resize_frames(frames, short_side))
        reader.close()
        del self._readers[path]
        self._decoded[key] = decoded
        while sum(v.nbytes for v in self._decoded.values()) > self.budget and len(self._decoded) > 1:
            self._decoded.popitem(last=False)[1].close()
        return decoded

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
        self._decoded.clear()
