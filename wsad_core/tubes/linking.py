"""Action tubes from scored tubelets: ACT's greedy linking (Kalogeiton et al., ICCV 2017).

This is ``BuildTubes`` of ACT's ``ACT.py``, class by class:

1. The tubelets starting on a frame go through tubelet NMS: by descending class score, a
   tubelet is dropped when its mean per-frame IoU with a kept one is above ``nms_iou``
   (0.3); at most ``top_k`` (10) are kept.
2. Live tubes are visited by descending mean score. A tube's overlap with a candidate is
   the mean per-frame IoU over the frames its last tubelet shares with the candidate when
   the start frames are less than K apart, else the IoU of the last tubelet's last box with
   the candidate's first box. Of the candidates with overlap >= ``link_iou`` (0.2) not yet
   taken by a better tube, the best-scoring one is appended.
3. A tube without a link ends when its last tubelet started ``end_after`` (5) or more
   frames earlier. Candidates nobody took start new tubes.
4. A tube's score is the mean class score of its tubelets; tubes scoring under
   ``min_score`` (0.01) or spanning fewer than ``min_length`` (15) frames (first start to
   last tubelet's end) are dropped. Each frame's box, score and uncertainty are the means
   over the tube's tubelets covering the frame.

Sparse tubelet starts. ACT has a tubelet start on every frame and checks every live tube on
every frame; a frame without a link ages the tube, and the check at offset
``frame - last_start >= end_after`` without a link ends it. Our tubelets are de-duplicated
and may start anywhere, so many frames have no start. They are taken as ACT takes a frame
whose detections were all filtered out: a frame with no candidate, on which every tube is
checked and none links. Hence a tube whose last tubelet started on frame ``L`` can link
on any start frame ``f <= L + end_after`` and is over after that, whether or not frames in
between had starts. Only frames with starts are visited; the result is the same as
visiting every frame.

Differences from ACT, none of which changes ACT's own inputs: ties (equal scores) keep
input order where ACT's unstable sorts leave it open; tubelets may have different lengths
(overlap frames are the frames two tubelets share); and a frame of a tube that no tubelet
covers (possible when ``end_after`` exceeds the tubelet length, where ACT divides by zero)
gets boxes, score and uncertainty linearly interpolated from its neighbours. Box IoU uses
ACT's +1 pixel convention (a box ``x1..x2`` is ``x2 - x1 + 1`` pixels wide).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from wsad_core.tubes.action_tubes import ActionTube, ScoredTubelet
from wsad_core.tubes.iou import paired_box_iou

__all__ = ["link_action_tubes", "link_video_tubes"]


def _iou_plus_one(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of a[..., :] with b[..., :] (broadcast) with boxes pre-shifted to ``x2 + 1, y2 + 1``."""
    a, b = np.broadcast_arrays(a, b)
    return paired_box_iou(a.reshape(-1, 4), b.reshape(-1, 4)).reshape(a.shape[:-1])


class _Video:
    """One video's tubelets as arrays, with the class-independent overlaps cached."""

    def __init__(self, tubelets: Sequence[ScoredTubelet], num_classes: int) -> None:
        n = len(tubelets)
        self.starts = np.empty(n, dtype=np.int64)
        self.lengths = np.empty(n, dtype=np.int64)
        self.scores = np.empty((n, num_classes), dtype=np.float64)
        with_uncertainty = all(t.uncertainty is not None for t in tubelets)
        self.uncertainty = np.empty((n, num_classes)) if with_uncertainty else None
        boxes = []
        for i, tubelet in enumerate(tubelets):
            frames = np.asarray(tubelet.frames, dtype=np.int64).reshape(-1)
            tube_boxes = np.asarray(tubelet.boxes, dtype=np.float64).reshape(-1, 4)
            if frames.size == 0 or frames.size != len(tube_boxes):
                raise ValueError(f"tubelet {i} needs one box per frame and at least one frame")
            if np.any(np.diff(frames) != 1):
                raise ValueError(f"tubelet {i} does not cover consecutive frames")
            scores = np.asarray(tubelet.scores, dtype=np.float64).reshape(-1)
            if scores.size != num_classes:
                raise ValueError(f"tubelet {i} has {scores.size} class scores, expected {num_classes}")
            self.starts[i], self.lengths[i] = frames[0], frames.size
            self.scores[i] = scores
            if self.uncertainty is not None:
                self.uncertainty[i] = np.asarray(tubelet.uncertainty, dtype=np.float64).reshape(-1)
            boxes.append(tube_boxes)
        width = int(self.lengths.max()) if n else 1
        self.boxes = np.zeros((n, width, 4))
        for i, tube_boxes in enumerate(boxes):
            self.boxes[i, : len(tube_boxes)] = tube_boxes
            self.boxes[i, len(tube_boxes) :] = tube_boxes[-1]
        self.shifted = self.boxes.copy()
        self.shifted[..., 2:] += 1.0
        order = np.argsort(self.starts, kind="stable")
        frames, first = np.unique(self.starts[order], return_index=True)
        self.frames = frames.tolist()
        self.groups = dict(zip(self.frames, np.split(order, first[1:])))
        self._nms: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._links: dict[tuple[int, int], np.ndarray] = {}

    def nms_overlaps(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """For the group starting on ``frame``: summed per-frame IoUs over shared frames, and counts."""
        if frame not in self._nms:
            group = self.groups[frame]
            shared = np.minimum(self.lengths[group][:, None], self.lengths[group][None, :])
            boxes = self.shifted[group]
            ious = _iou_plus_one(boxes[:, None], boxes[None, :])
            mask = np.arange(boxes.shape[1]) < shared[..., None]
            self._nms[frame] = (np.where(mask, ious, 0.0).sum(axis=-1), shared)
        return self._nms[frame]

    def link_overlaps(self, last: int, frame: int) -> np.ndarray:
        """Overlap of tubelet ``last`` with each tubelet starting on ``frame`` (ACT's rule)."""
        key = (last, frame)
        if key not in self._links:
            group = self.groups[frame]
            offset = frame - int(self.starts[last])
            shared = np.minimum(self.lengths[last] - offset, self.lengths[group])
            overlaps = np.empty(group.size)
            far = shared <= 0
            if far.any():
                tail = self.shifted[last, self.lengths[last] - 1]
                overlaps[far] = _iou_plus_one(tail, self.shifted[group[far], 0])
            if not far.all():
                near = group[~far]
                span = int(shared.max())
                ious = _iou_plus_one(self.shifted[last, offset : offset + span], self.shifted[near, :span])
                counts = shared[~far]
                mask = np.arange(span) < counts[:, None]
                overlaps[~far] = np.where(mask, ious, 0.0).sum(axis=1) / counts
            self._links[key] = overlaps
        return self._links[key]


@dataclass
class _Tube:
    tubelets: list[int]
    last_start: int
    score_sum: float
    mean: float = field(init=False)

    def __post_init__(self) -> None:
        self.mean = self.score_sum / len(self.tubelets)

    def extend(self, tubelet: int, start: int, score: float) -> None:
        self.tubelets.append(tubelet)
        self.last_start = start
        self.score_sum += score
        self.mean = self.score_sum / len(self.tubelets)


def _tubelet_nms(video: _Video, frame: int, scores: np.ndarray, threshold: float, top_k: int) -> list[int]:
    """Positions (in the frame's group) kept by tubelet NMS, best first."""
    summed, shared = video.nms_overlaps(frame)
    remaining = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while remaining.size and len(kept) < top_k:
        best = int(remaining[0])
        kept.append(best)
        rest = remaining[1:]
        remaining = rest[summed[best, rest] <= threshold * shared[best, rest]]
    return kept


def _link_class(
    video: _Video, label: int, nms_iou: float, top_k: int, link_iou: float, end_after: int
) -> list[_Tube]:
    scores = video.scores[:, label]
    finished: list[_Tube] = []
    live: list[_Tube] = []
    for frame in video.frames:
        group = video.groups[frame]
        still = []
        for tube in live:
            (finished if frame - tube.last_start > end_after else still).append(tube)
        live = sorted(still, key=lambda t: -t.mean)
        kept = _tubelet_nms(video, frame, scores[group], nms_iou, top_k)
        candidates = group[kept]
        free = np.ones(len(kept), dtype=bool)
        still = []
        for tube in live:
            overlaps = video.link_overlaps(tube.tubelets[-1], frame)[kept]
            valid = np.flatnonzero(free & (overlaps >= link_iou))
            if valid.size:
                # Candidates are in NMS order (descending score): the first valid is the best.
                choice = int(valid[0])
                free[choice] = False
                tubelet = int(candidates[choice])
                tube.extend(tubelet, frame, float(scores[tubelet]))
                still.append(tube)
            elif frame - tube.last_start >= end_after:
                finished.append(tube)
            else:
                still.append(tube)
        live = still + [
            _Tube([int(t)], frame, float(scores[t])) for t in candidates[free]
        ]
    return finished + live


def _interpolate_gaps(values: np.ndarray, covered: np.ndarray) -> np.ndarray:
    if covered.all():
        return values
    index = np.arange(len(values))
    out = values.copy()
    for column in range(values.shape[1]):
        out[:, column] = np.interp(index, index[covered], values[covered, column])
    return out


def _build_tube(video: _Video, name: str, label: int, tube: _Tube) -> ActionTube:
    members = np.asarray(tube.tubelets)
    starts, lengths = video.starts[members], video.lengths[members]
    first, last = int(starts.min()), int((starts + lengths - 1).max())
    span = last - first + 1
    sums = np.zeros((span, 6))
    counts = np.zeros(span)
    for member, start, length in zip(members, starts, lengths):
        rows = slice(start - first, start - first + length)
        sums[rows, :4] += video.boxes[member, :length]
        sums[rows, 4] += video.scores[member, label]
        if video.uncertainty is not None:
            sums[rows, 5] += video.uncertainty[member, label]
        counts[rows] += 1
    covered = counts > 0
    means = np.zeros_like(sums)
    means[covered] = sums[covered] / counts[covered, None]
    means = _interpolate_gaps(means, covered)
    return ActionTube(
        video=name,
        label_index=label,
        score=tube.mean,
        frames=np.arange(first, last + 1, dtype=np.int64),
        boxes=means[:, :4],
        frame_scores=means[:, 4],
        frame_uncertainty=None if video.uncertainty is None else means[:, 5],
    )


def link_action_tubes(
    tubelets: Sequence[ScoredTubelet],
    num_classes: int,
    *,
    nms_iou: float = 0.3,
    top_k: int = 10,
    link_iou: float = 0.2,
    end_after: int = 5,
    min_length: int = 15,
    min_score: float = 0.01,
) -> list[ActionTube]:
    """Link one video's scored tubelets into action tubes, per class, as ACT does.

    See the module docstring for the rules and how sparse tubelet starts are handled.
    Tubes come out by class, and within a class in the order they ended (those still live
    at the video's end last). Raises ``ValueError`` when the tubelets come from more than
    one video or do not carry ``num_classes`` scores each.
    """
    if not tubelets:
        return []
    names = {t.video for t in tubelets}
    if len(names) > 1:
        raise ValueError(f"tubelets of {len(names)} videos given; link each video on its own (link_video_tubes)")
    if top_k < 1 or end_after < 1:
        raise ValueError("top_k and end_after must be at least 1")
    name = next(iter(names))
    video = _Video(tubelets, num_classes)
    tubes: list[ActionTube] = []
    for label in range(num_classes):
        for tube in _link_class(video, label, nms_iou, top_k, link_iou, end_after):
            if tube.mean < min_score:
                continue
            members = np.asarray(tube.tubelets)
            length = int((video.starts[members] + video.lengths[members]).max() - video.starts[members].min())
            if length < min_length:
                continue
            tubes.append(_build_tube(video, name, label, tube))
    return tubes


def link_video_tubes(
    tubelets: Sequence[ScoredTubelet],
    num_classes: int,
    *,
    nms_iou: float = 0.3,
    top_k: int = 10,
    link_iou: float = 0.2,
    end_after: int = 5,
    min_length: int = 15,
    min_score: float = 0.01,
) -> dict[str, list[ActionTube]]:
    """:func:`link_action_tubes` for each video of ``tubelets``, keyed by video, in first-seen order."""
    by_video: dict[str, list[ScoredTubelet]] = {}
    for tubelet in tubelets:
        by_video.setdefault(tubelet.video, []).append(tubelet)
    return {
        name: link_action_tubes(
            group, num_classes, nms_iou=nms_iou, top_k=top_k, link_iou=link_iou,
            end_after=end_after, min_length=min_length, min_score=min_score,
        )
        for name, group in by_video.items()
    }
