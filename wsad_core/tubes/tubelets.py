"""Tubelets: a person over K consecutive frames, the instances of the MIL bags.

As in the paper (section 4.1), a tubelet may start on every frame of a track, and only
tubelets whose spatio-temporal IoU with the ones already kept is below 0.5 are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wsad_core.tubes.iou import tube_iou
from wsad_core.tubes.tracks import Track


@dataclass(frozen=True, eq=False)
class Tubelet:
    track_id: int
    frames: np.ndarray  # (K,) consecutive frame indices
    boxes: np.ndarray  # (K, 4)
    score: float  # mean detection score

    @property
    def centre_frame(self) -> int:
        """The frame whose box the model's RoI head reads (the paper's centre frame)."""
        return int(self.frames[len(self.frames) // 2])

    @property
    def centre_box(self) -> np.ndarray:
        return self.boxes[len(self.frames) // 2]


def _filled(track: Track) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The track on every frame of its span, boxes and scores linearly interpolated in gaps."""
    frames, boxes, scores = track.as_arrays()
    every = np.arange(frames[0], frames[-1] + 1)
    filled_boxes = np.stack([np.interp(every, frames, boxes[:, i]) for i in range(4)], axis=1)
    return every, filled_boxes, np.interp(every, frames, scores)


def cut_tubelets(tracks: list[Track], k: int = 16) -> list[Tubelet]:
    """Every K-frame window of every track that is at least K frames long."""
    if k < 1:
        raise ValueError(f"tubelet length must be at least 1, not {k}")
    tubelets = []
    for track_id, track in enumerate(tracks):
        frames, boxes, scores = _filled(track)
        for start in range(len(frames) - k + 1):
            window = slice(start, start + k)
            tubelets.append(
                Tubelet(track_id, frames[window], boxes[window], float(scores[window].mean()))
            )
    return tubelets


def deduplicate_tubelets(tubelets: list[Tubelet], max_iou: float = 0.5) -> list[Tubelet]:
    """Keep tubelets, best score first, whose ST-IoU with every kept one is below ``max_iou``."""
    kept: list[Tubelet] = []
    for tubelet in sorted(tubelets, key=lambda t: (-t.score, t.track_id, int(t.frames[0]))):
        first, last = int(tubelet.frames[0]), int(tubelet.frames[-1])
        if all(
            other.frames[-1] < first
            or other.frames[0] > last
            or tube_iou(tubelet.frames, tubelet.boxes, other.frames, other.boxes) < max_iou
            for other in kept
        ):
            kept.append(tubelet)
    return sorted(kept, key=lambda t: (t.track_id, int(t.frames[0])))
