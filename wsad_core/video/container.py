"""Opening a file with PyAV and finding its video stream, with every failure as a VideoError."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.video.stream

from wsad_core.errors import VideoError

# ISO base media files (MP4, MOV, M4V) start with a box of this type after the 4-byte size.
_ISO_BMFF_TAG = b"ftyp"


def open_input(path: str | Path) -> av.container.InputContainer:
    """Open ``path`` for demuxing, or raise a VideoError that says why it cannot be."""
    path = Path(path)
    if not path.exists():
        raise VideoError(path, "no such file")
    if path.is_dir():
        raise VideoError(path, "is a folder, not a video file")
    if path.stat().st_size == 0:
        raise VideoError(path, "file is empty")
    try:
        # Broken tag encodings are common in user files and must not make the video unusable.
        return av.open(str(path), mode="r", metadata_errors="replace")
    except (av.error.FFmpegError, UnicodeDecodeError, OSError) as error:
        raise VideoError(path, _open_failure_reason(path, error)) from error


def _open_failure_reason(path: Path, error: Exception) -> str:
    with path.open("rb") as file:
        head = file.read(12)
    if head[4:8] == _ISO_BMFF_TAG:
        # An MP4 whose index (moov) is written last opens only once complete: an interrupted
        # recording or copy is the usual cause, so say so rather than "invalid data".
        return f"MP4/MOV file is incomplete (truncated or still being written): {error_text(error)}"
    return f"cannot be opened as a video (not a media file, or damaged): {error_text(error)}"


def video_stream(
    container: av.container.InputContainer, path: str | Path
) -> av.video.stream.VideoStream:
    """The first video stream of ``container``; VideoError when there is none or no decoder for it."""
    if not container.streams.video:
        kinds = sorted({stream.type for stream in container.streams})
        found = f" (found only {', '.join(kinds)})" if kinds else ""
        raise VideoError(path, f"no video stream{found}")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        tag = f" '{stream.codec_tag}'" if getattr(stream, "codec_tag", "") else ""
        reason = f"video codec{tag} is not supported: this FFmpeg build has no decoder for it"
        raise VideoError(path, reason)
    return stream


def frame_rate(stream: av.video.stream.VideoStream, path: str | Path) -> Fraction:
    """Frames per second: the stream's average rate, else FFmpeg's guess, else its base rate."""
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return Fraction(rate)
    raise VideoError(path, "frame rate is unknown")


def error_text(error: Exception) -> str:
    """FFmpeg's own words for ``error``, without PyAV's errno and file name around them."""
    return getattr(error, "strerror", None) or str(error)
