"""Person tracks: per-frame detections linked greedily by box IoU."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wsad_core.tubes.iou import box_iou


@dataclass(frozen=True)
class FrameDetections:
    """Detections of one video: row i is a box on frame ``frames[i]`` with ``scores[i]``."""

    frames: np.ndarray  # (N,) int
    boxes: np.ndarray  # (N, 4) float, x1 y1 x2 y2
    scores: np.ndarray  # (N,) float

    def __post_init__(self) -> None:
        if not (len(self.frames) == len(self.boxes) == len(self.scores)):
            raise ValueError("frames, boxes and scores must have the same length")


@dataclass
class Track:
    """One person followed over frames; frames are increasing, gaps are allowed."""

    frames: list[int] = field(default_factory=list)
    boxes: list[np.ndarray] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    def add(self, frame: int, box: np.ndarray, score: float) -> None:
        self.frames.append(frame)
        self.boxes.append(np.asarray(box, dtype=np.float64))
        self.scores.append(float(score))

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.asarray(self.frames), np.stack(self.boxes), np.asarray(self.scores)


def link_tracks(
    detections: FrameDetections, *, iou_threshold: float = 0.3, max_gap: int = 5
) -> list[Track]:
    """Link detections frame by frame: each live track takes the unclaimed detection of
    highest IoU with its last box (at least ``iou_threshold``), best pairs first; other
    detections start new tracks; a track unmatched for more than ``max_gap`` frames ends."""
    order = np.argsort(detections.frames, kind="stable")
    frames = np.asarray(detections.frames)[order]
    boxes = np.asarray(detections.boxes, dtype=np.float64)[order]
    scores = np.asarray(detections.scores, dtype=np.float64)[order]
    finished: list[Track] = []
    live: list[Track] = []
    for frame in np.unique(frames):
        rows = np.flatnonzero(frames == frame)
        still_live = []
        for track in live:
            (finished if frame - track.frames[-1] > max_gap + 1 else still_live).append(track)
        live = still_live
        claimed_rows: set[int] = set()
        if live:
            ious = box_iou(np.stack([t.boxes[-1] for t in live]), boxes[rows])
            for flat in np.argsort(-ious, axis=None, kind="stable"):
                t, r = divmod(int(flat), len(rows))
                if ious[t, r] < iou_threshold:
                    break
                if live[t].frames[-1] == frame or r in claimed_rows:
                    continue
                live[t].add(int(frame), boxes[rows[r]], scores[rows[r]])
                claimed_rows.add(r)
        for r, row in enumerate(rows):
            if r not in claimed_rows:
                track = Track()
                track.add(int(frame), boxes[row], scores[row])
                live.append(track)
    return sorted(finished + live, key=lambda t: (t.frames[0], t.boxes[0][0]))
