"""Writing RGB frames to a video file with PyAV (synthetic data, exports, test fixtures)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# Rates such as 29.97 arrive as floats; NTSC's 30000/1001 needs a denominator of 1001.
_MAX_RATE_DENOMINATOR = 1001


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float | Fraction = 25,
    *,
    codec: str = "libx264",
    keyframe_interval: int = 25,
    b_frames: int = 2,
    crf: int = 18,
    pix_fmt: str = "yuv420p",
) -> Path:
    """Encode HxWx3 uint8 RGB ``frames`` into ``path`` (container chosen by its extension).

    The GOP structure is forced rather than left to the encoder: keyframes come exactly every
    ``keyframe_interval`` frames and runs of ``b_frames`` B-frames are always used, so that the
    files exercise seeking the way real footage does. A partly written file is removed on error.
    """
    path = Path(path)
    if keyframe_interval < 1:
        raise ValueError(f"keyframe_interval must be at least 1, got {keyframe_interval}")
    if b_frames < 0:
        raise ValueError(f"b_frames must not be negative, got {b_frames}")
    rate = Fraction(fps).limit_denominator(_MAX_RATE_DENOMINATOR)
    if rate <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to write")
    height, width = _check_frame(first, None, 0)
    if width % 2 or height % 2:
        raise ValueError(f"frame width and height must be even, got {width}x{height}")
    try:
        with av.open(str(path), mode="w") as container:
            stream = container.add_stream(codec, rate=rate)
            stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
            stream.codec_context.gop_size = keyframe_interval
            stream.codec_context.max_b_frames = b_frames
            stream.options = _encoder_options(codec, keyframe_interval, b_frames, crf)
            for index, array in enumerate(itertools.chain([first], frames)):
                _check_frame(array, (height, width), index)
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(array), format="rgb24")
                frame.pts = index
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _encoder_options(
    codec: str, keyframe_interval: int, b_frames: int, crf: int
) -> dict[str, str]:
    if codec != "libx264":
        return {}
    # gop_size alone still lets x264 add keyframes at scene cuts and drop B-frames it finds
    # useless (b-adapt); both are switched off so the structure asked for is the one written.
    params = (
        f"keyint={keyframe_interval}:min-keyint={keyframe_interval}:scenecut=0"
        f":bframes={b_frames}:b-adapt=0"
    )
    return {"crf": str(crf), "x264-params": params}


def _check_frame(array: np.ndarray, size: tuple[int, int] | None, index: int) -> tuple[int, int]:
    is_rgb = isinstance(array, np.ndarray) and array.ndim == 3 and array.shape[2] == 3
    if not is_rgb or array.dtype != np.uint8:
        shape = getattr(array, "shape", None)
        dtype = getattr(array, "dtype", type(array).__name__)
        raise ValueError(
            f"frame {index} must be an HxWx3 uint8 RGB array, got shape {shape} of {dtype}"
        )
    if size is not None and array.shape[:2] != size:
        raise ValueError(
            f"frame {index} is {array.shape[1]}x{array.shape[0]}, expected {size[1]}x{size[0]}"
        )
    return array.shape[0], array.shape[1]
