"""Precomputed person boxes: AVA's official person boxes, the synthetic world's simulated
detector, or any tracker's output written as ``video_id,timestamp,x1,y1,x2,y2,[action],score``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from wsad_core.errors import FormatError
from wsad_core.formats import read_ava_csv
from wsad_core.tubes import FrameDetections


def read_precomputed_detections(
    path: str | Path,
    fps: Mapping[str, float],
    *,
    min_score: float = 0.0,
) -> dict[str, FrameDetections]:
    """Boxes per video, with timestamps turned into frame indices (``round(t × fps)``).

    ``fps`` gives each video's frame rate; a video it lacks is an error naming the row, since
    its boxes could not be placed on frames. Rows without a score count as score 1.
    """
    rows = read_ava_csv(path, kind="boxes")
    grouped: dict[str, list[tuple[int, tuple[float, ...], float]]] = defaultdict(list)
    for row in rows:
        if row.box is None:
            continue
        rate = fps.get(row.video_id)
        if rate is None:
            raise FormatError(path, f"video {row.video_id!r} is not in the project", row=row.row, field="video_id")
        score = 1.0 if row.score is None else row.score
        if score >= min_score:
            grouped[row.video_id].append((round(row.timestamp * rate), row.box, score))
    detections = {}
    for video, items in grouped.items():
        frames, boxes, scores = zip(*items)
        detections[video] = FrameDetections(
            np.asarray(frames, dtype=np.int64), np.asarray(boxes, dtype=np.float64), np.asarray(scores)
        )
    return detections
