"""The source video re-encoded (H.264, PyAV) with a run's action tubes drawn on every frame."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from wsad_core.errors import WsadError
from wsad_core.export.draw import draw_tubes
from wsad_core.files import atomic_output
from wsad_core.project import Project
from wsad_core.video import VideoReader, write_video


def render_video(
    project: Project,
    run: int | str,
    video: str,
    out: Path,
    *,
    min_score: float = 0.0,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write ``out`` (an .mp4) with the run's tubes scoring at least ``min_score`` drawn;
    returns the number of frames written, which is the source's."""
    predictions = project.predictions(run)
    record = project.video(video)
    if record.path is None or record.status != "ok":
        raise WsadError(f"video {video!r} has no readable file ({record.status}); relink it first")
    predictions.video(video)  # an unknown video fails here, before anything is written
    with VideoReader(record.path) as reader, atomic_output(out, force=force) as temp:
        total = reader.frame_count

        def frames() -> Iterator[np.ndarray]:
            for index, frame in reader.iter_frames():
                drawn = draw_tubes(frame, predictions.tubes_at(video, index, min_score=min_score))
                # H.264 in yuv420p needs even sides: an odd one gets its last row/column repeated.
                yield np.pad(drawn, ((0, drawn.shape[0] % 2), (0, drawn.shape[1] % 2), (0, 0)), mode="edge")
                if progress is not None:
                    progress(index + 1, total)

        # The encoder picks the container from the suffix, which the temporary name lacks.
        encoded = temp.with_name(temp.name + out.suffix)
        try:
            write_video(encoded, frames(), fps=reader.fps, crf=20)
            os.replace(encoded, temp)
        finally:
            encoded.unlink(missing_ok=True)
    return total
