"""Frame-accurate random access to a video: frames by index, clips around a centre frame."""

from __future__ import annotations

import bisect
import dataclasses
import operator
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import av
import av.error
import numpy as np

from wsad_core.errors import VideoError
from wsad_core.video.container import error_text, open_input, video_stream
from wsad_core.video.probe import VideoInfo, probe_video


@dataclasses.dataclass(frozen=True)
class _FrameIndex:
    """Where each frame is: frame i is the i-th smallest packet timestamp (presentation order).

    ``seek_to`` maps the index of each keyframe to the timestamp to seek to for it: the packet's
    decoding timestamp when it has one, since demuxers without an index (MPEG-TS) search by
    decoding time and land after the keyframe when given its later presentation time.
    """

    pts: list[int]
    position: dict[int, int]
    keyframes: list[int]
    seek_to: dict[int, int]

    @classmethod
    def build(cls, path: Path) -> _FrameIndex:
        """Demux the video stream once, without decoding, and sort its packets' timestamps."""
        packets: list[tuple[int, int | None]] = []
        with open_input(path) as container:
            stream = video_stream(container, path)
            try:
                for packet in container.demux(stream):
                    timestamp = packet.pts if packet.pts is not None else packet.dts
                    if packet.size and timestamp is not None:
                        dts = timestamp if packet.dts is None else packet.dts
                        seek_to = min(timestamp, dts)
                        packets.append((timestamp, seek_to if packet.is_keyframe else None))
            except av.error.FFmpegError as error:
                reason = f"file is damaged or truncated: {error_text(error)}"
                raise VideoError(path, reason) from error
        if not packets:
            raise VideoError(path, "video stream has no frames")
        packets.sort(key=lambda packet: packet[0])
        pts = [timestamp for timestamp, _ in packets]
        seek_to = {index: key for index, (_, key) in enumerate(packets) if key is not None}
        return cls(
            pts=pts,
            position={value: index for index, value in enumerate(pts)},
            keyframes=sorted(seek_to),
            seek_to=seek_to,
        )

    def keyframe_at_or_before(self, index: int) -> int | None:
        found = bisect.bisect_right(self.keyframes, index)
        return self.keyframes[found - 1] if found else None


class VideoReader:
    """Reads frames by index from one video, keeping the file open between reads.

    Frame ``i`` is the ``i``-th frame in presentation order, the same frame whether the video is
    decoded from its start or reached by seeking. Reads just ahead of the previous one continue
    decoding instead of seeking, so sequential and clip reads cost one forward pass. The frame
    index (one demux pass over the file) is built on the first read; from then on ``info`` and
    ``frame_count`` count the frames found there. Not thread-safe: use one reader per worker.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._info = probe_video(self._path)
        self._container, self._stream = self._open()
        self._index: _FrameIndex | None = None
        self._decoded: Iterator[av.VideoFrame] | None = None
        self._last: tuple[int, av.VideoFrame] | None = None
        self._closed = False

    @property
    def path(self) -> Path:
        return self._path

    @property
    def info(self) -> VideoInfo:
        return self._info

    @property
    def frame_count(self) -> int:
        return self._info.frame_count

    @property
    def fps(self) -> float:
        return self._info.fps

    def read_frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as an (H, W, 3) uint8 RGB array."""
        return self._frame(index).to_ndarray(format="rgb24")

    def read_clip(self, centre: int, n: int, stride: int = 1) -> np.ndarray:
        """``n`` frames spaced ``stride`` apart around ``centre``, as an (n, H, W, 3) uint8 array.

        Frame k is ``centre + (k - n // 2) * stride``; indices past either end repeat the edge
        frame, as SlowFast-style data loaders pad clips near the ends of a video.
        """
        if n < 1 or stride < 1:
            raise ValueError(f"a clip needs n >= 1 and stride >= 1, got n={n}, stride={stride}")
        centre = self._checked(centre)
        offsets = (np.arange(n) - n // 2) * stride
        indices = np.clip(centre + offsets, 0, self.frame_count - 1).tolist()
        frames = {index: self.read_frame(index) for index in sorted(set(indices))}
        return np.stack([frames[index] for index in indices])

    def iter_frames(
        self, start: int = 0, stop: int | None = None
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(index, rgb)`` for frames ``start`` up to ``stop`` (exclusive), slice-style."""
        self._frame_index()
        for index in range(self.frame_count)[start:stop]:
            yield index, self.read_frame(index)

    def close(self) -> None:
        self._container.close()
        self._decoded = None
        self._last = None
        self._closed = True

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
        container = open_input(self._path)
        stream = video_stream(container, self._path)
        stream.thread_type = "AUTO"
        return container, stream

    def _frame_index(self) -> _FrameIndex:
        if self._index is None:
            self._index = _FrameIndex.build(self._path)
            count = len(self._index.pts)
            if count != self._info.frame_count:
                self._info = dataclasses.replace(
                    self._info, frame_count=count, duration=count / self._info.fps
                )
        return self._index

    def _checked(self, index: int) -> int:
        if self._closed:
            raise ValueError(f"reader for {self._path} is closed")
        index = operator.index(index)
        count = len(self._frame_index().pts)
        if not 0 <= index < count:
            raise IndexError(
                f"frame index {index} is out of range: {self._path} has {count} frames"
            )
        return index

    def _frame(self, index: int) -> av.VideoFrame:
        index = self._checked(index)
        if self._last is not None and self._last[0] == index:
            return self._last[1]
        if self._can_continue_to(index):
            frame = self._decode_until(index)
            if frame is not None:
                return frame
        for start in self._seek_points(index):
            self._seek(start)
            frame = self._decode_until(index)
            if frame is not None:
                return frame
        raise VideoError(self._path, f"frame {index} cannot be decoded: the file is damaged there")

    def _can_continue_to(self, index: int) -> bool:
        """Whether decoding on from the last frame reaches ``index`` without passing a keyframe."""
        if self._decoded is None or self._last is None or index <= self._last[0]:
            return False
        keyframe = self._frame_index().keyframe_at_or_before(index)
        return keyframe is None or keyframe <= self._last[0] + 1

    def _seek_points(self, index: int) -> Iterator[int | None]:
        """Timestamps to seek to for ``index``, nearest first; None means the start of the file.

        The keyframe's presentation timestamp comes first: an MP4 with B-frames, sought to the
        keyframe's (earlier) decoding timestamp, lands one keyframe interval early and decodes a
        whole extra GOP. Demuxers that search by decoding time (MPEG-TS) or land after the
        keyframe asked for (AVI) then decode past ``index`` first, which ``_decode_until`` sees,
        and the decoding timestamp, the keyframe before it, and at last the start of the file
        are tried in turn.
        """
        frames = self._frame_index()
        keyframe = frames.keyframe_at_or_before(index)
        if keyframe is not None:
            presented = frames.pts[keyframe]
            yield presented
            if frames.seek_to[keyframe] != presented:
                yield frames.seek_to[keyframe]
            earlier = frames.keyframe_at_or_before(keyframe - 1)
            if earlier is not None:
                yield frames.seek_to[earlier]
        yield None

    def _seek(self, pts: int | None) -> None:
        if pts is None:
            self._container.close()
            self._container, self._stream = self._open()
        else:
            self._container.seek(pts, stream=self._stream, backward=True, any_frame=False)
        self._decoded = self._container.decode(self._stream)
        self._last = None

    def _decode_until(self, index: int) -> av.VideoFrame | None:
        """Decode on to frame ``index``; None when the decoder skips past it or the stream ends."""
        assert self._decoded is not None
        position = self._frame_index().position
        try:
            for frame in self._decoded:
                found = position.get(frame.pts)
                if found is None:
                    continue
                self._last = (found, frame)
                if found == index:
                    return frame
                if found > index:
                    return None
        except av.error.FFmpegError as error:
            self._decoded = self._last = None
            reason = f"frame {index} cannot be decoded: {error_text(error)}"
            raise VideoError(self._path, reason) from error
        self._decoded = self._last = None
        return None


def read_frame(path: str | Path, index: int) -> np.ndarray:
    """Frame ``index`` of the video at ``path``; open a VideoReader instead for several reads."""
    with VideoReader(path) as reader:
        return reader.read_frame(index)


def read_clip(path: str | Path, centre: int, n: int, stride: int = 1) -> np.ndarray:
    """``VideoReader.read_clip`` on the video at ``path``, opening and closing it."""
    with VideoReader(path) as reader:
        return reader.read_clip(centre, n, stride)
