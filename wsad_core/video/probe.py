"""Video files on disk: what they are (rate, frames, size, codec), if usable, and where they are."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.stream

from wsad_core.errors import VideoError
from wsad_core.video.container import error_text, frame_rate, open_input, video_stream

VIDEO_EXTENSIONS: tuple[str, ...] = (
    ".mp4", ".mkv", ".avi", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv",
)

# A frame that fails to decode after this many packets means the codec does not work on this file.
_FIRST_FRAME_PACKET_LIMIT = 300


@dataclass(frozen=True)
class VideoInfo:
    """A usable video: ``duration`` is ``frame_count / fps`` seconds."""

    fps: float
    frame_count: int
    duration: float
    width: int
    height: int
    codec: str


def probe_video(path: str | Path) -> VideoInfo:
    """Describe the video at ``path``, raising VideoError when it cannot be used.

    The frame count comes from the container when it agrees with duration × fps (after checking
    that the end of the file is really there), otherwise from counting the video packets.
    The first frame is always decoded, to prove the codec works on this file.
    """
    path = Path(path)
    with open_input(path) as container:
        stream = video_stream(container, path)
        fps = frame_rate(stream, path)
        frame_count = _frame_count(container, stream, fps, path)
        codec = stream.codec_context.name
        width, height = stream.codec_context.width, stream.codec_context.height
    _decode_first_frame(path, codec)
    return VideoInfo(
        fps=float(fps),
        frame_count=frame_count,
        duration=float(frame_count / fps),
        width=width,
        height=height,
        codec=codec,
    )


def _frame_count(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    fps: Fraction,
    path: Path,
) -> int:
    declared = stream.frames
    duration = _declared_duration(container, stream)
    if declared > 0 and duration is not None and abs(declared - duration * fps) <= 1:
        # MP4 files written "fast start" keep their index at the front and open fine when cut:
        # only reading the packets at the end shows that the frames the index lists are gone.
        present = _frames_present_at_end(container, stream, fps, duration, path)
        if _clearly_fewer(present, declared):
            raise VideoError(
                path,
                f"file is truncated or damaged: it declares {declared} frames "
                "but the frames at its end are missing",
            )
        return declared
    counted = _count_packets(container, stream, path)
    if counted == 0:
        raise VideoError(path, "video stream has no frames")
    expected = declared if declared > 0 else (None if duration is None else float(duration * fps))
    if expected is not None and _clearly_fewer(counted, expected):
        raise VideoError(
            path,
            f"file is truncated or damaged: it declares {expected:.0f} frames "
            f"but holds only {counted}",
        )
    return counted


def _declared_duration(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> Fraction | None:
    """Duration in seconds the file declares for its video, if it declares one.

    The container's duration is used only when the video is the sole stream: with audio it may be
    the audio's length, and a longer soundtrack must not make a good video look truncated.
    """
    if stream.duration:
        return stream.duration * stream.time_base
    if container.duration and len(container.streams) == 1:
        return Fraction(container.duration, av.time_base)
    return None


def _frames_present_at_end(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    fps: Fraction,
    duration: Fraction,
    path: Path,
) -> float:
    """How many frames' worth of video the file really holds, judged from its last second."""
    origin = stream.start_time or 0
    one_frame = 1 / (fps * stream.time_base)
    look_from = origin + int(max(duration - 1, 0) / stream.time_base)
    end = None
    try:
        container.seek(look_from, stream=stream, backward=True, any_frame=False)
        for packet in container.demux(stream):
            if packet.size and packet.pts is not None:
                packet_end = packet.pts + (packet.duration or one_frame)
                end = packet_end if end is None else max(end, packet_end)
    except av.error.FFmpegError as error:
        reason = f"file is damaged or truncated near its end: {error_text(error)}"
        raise VideoError(path, reason) from error
    return 0.0 if end is None else float((end - origin) * stream.time_base * fps)


def _count_packets(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, path: Path
) -> int:
    """Count the video packets (one per frame) without decoding; the flush packet is empty."""
    count = 0
    try:
        for packet in container.demux(stream):
            if packet.size:
                count += 1
    except av.error.FFmpegError as error:
        reason = f"file is damaged or truncated: unreadable after {count} frames"
        raise VideoError(path, f"{reason} ({error_text(error)})") from error
    return count


def _clearly_fewer(found: float, expected: float) -> bool:
    return found < expected - max(2.0, 0.01 * expected)


def _decode_first_frame(path: Path, codec: str) -> None:
    with open_input(path) as container:
        stream = container.streams.video[0]
        try:
            for count, packet in enumerate(container.demux(stream)):
                if packet.decode():
                    return
                if count >= _FIRST_FRAME_PACKET_LIMIT:
                    break
        except av.error.FFmpegError as error:
            reason = f"the {codec} video cannot be decoded: {error_text(error)}"
            raise VideoError(path, reason) from error
    raise VideoError(path, f"the {codec} video cannot be decoded: no frame came out of the decoder")


def fingerprint_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """A content fingerprint that identifies a video even after it is moved or renamed.

    Hashing whole multi-GB videos would take minutes on every import, so this hashes the file
    size plus the first, middle and last ``chunk`` bytes (the whole file when it is small): edits
    and re-encodes change the size or those bytes, and a user's library will not hold two
    different videos that agree on all of them. The "s3:" tag names this scheme so that stored
    fingerprints stay recognisable if it changes; fingerprints agree only for equal ``chunk``.
    """
    path = Path(path)
    if not path.is_file():
        raise VideoError(path, "no such file")
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}:".encode())
    with path.open("rb") as file:
        if size <= 3 * chunk:
            digest.update(file.read())
        else:
            for offset in (0, (size - chunk) // 2, size - chunk):
                file.seek(offset)
                digest.update(file.read(chunk))
    return f"s3:{digest.hexdigest()}"


def find_video_files(
    paths: Iterable[str | Path],
    recursive: bool = True,
    extensions: Iterable[str] = VIDEO_EXTENSIONS,
) -> list[Path]:
    """Video files named by ``paths``: files as given, folders searched for known extensions.

    Hidden files and folders (starting with ".") are skipped inside folders: they are mostly
    macOS "._name.mp4" resource forks and tool caches, which look like videos but are not.
    The result is sorted, and a file reached twice (given twice, or through a link) appears once.
    """
    wanted = {ext.lower() if ext.startswith(".") else f".{ext.lower()}" for ext in extensions}
    found: dict[Path, Path] = {}
    for given in paths:
        given = Path(given)
        if given.is_dir():
            candidates: Iterable[Path] = (
                file for file in _files_in(given, recursive) if file.suffix.lower() in wanted
            )
        elif given.exists():
            candidates = (given,)
        else:
            raise VideoError(given, "no such file or folder")
        for file in candidates:
            found.setdefault(file.resolve(), file)
    return sorted(found.values())


def _files_in(folder: Path, recursive: bool) -> Iterator[Path]:
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")] if recursive else []
        for name in names:
            file = Path(root, name)
            if not name.startswith(".") and file.is_file():
                yield file
