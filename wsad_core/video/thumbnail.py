"""Small pictures of videos for lists (the studio's library); not frame-accurate by design."""

from __future__ import annotations

from pathlib import Path

import av.error
import numpy as np

from wsad_core.errors import VideoError
from wsad_core.video.container import error_text, open_input, video_stream


def thumbnail(path: str | Path, width: int = 96, at: float = 0.1) -> np.ndarray:
    """An (h, ``width``, 3) uint8 RGB picture from the keyframe nearest ``at`` × the duration.

    Only one keyframe is decoded (no frame index is built), so it costs the same for a clip
    and for an hour of footage.
    """
    with open_input(path) as container:
        stream = video_stream(container, path)
        try:
            if stream.duration and at > 0:
                target = int(stream.duration * at) + (stream.start_time or 0)
                container.seek(target, stream=stream, backward=True, any_frame=False)
            for frame in container.decode(stream):
                height = max(2, round(frame.height * width / frame.width / 2) * 2)
                return frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
        except av.error.FFmpegError as error:
            raise VideoError(path, f"no picture for a thumbnail: {error_text(error)}") from error
    raise VideoError(path, "video stream has no frames")
