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
from dataclasses import dataclass

import numpy as np

from wsad_core.tubes.action_tubes import ActionTube, ScoredTubelet
from wsad_core.tubes.iou import paired_box_iou

__all__ = ["LinkingOptions", "link_action_tubes", "link_video_tubes"]


@dataclass(frozen=True)
class LinkingOptions:
    """ACT's linking parameters (DESIGN.md); the defaults of :func:`link_action_tubes`."""

    nms_iou: float = 0.3
    top_k: int = 10
    link_iou: float = 0.2
    end_after: int = 5
    min_length: int = 15
    min_score: float = 0.01


def _iou_plus_one(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of a[..., :] with b[..., :] (broadcast) with boxes pre-shifted to ``x2 + 1, y2 + 1``."""
    a, b = np.broadcast_arrays(a, b)
    return paired_box_iou(a.reshape(-1, 4), b.reshape(-1, 4)).reshape(a.shape[:-1])


class _Video:
    """One video's tubelets as arrays, and the class-independent overlaps frame by frame."""

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

    def suppression(self, group: np.ndarray, threshold: float) -> list[list[bool]] | None:
        """``s[i][j]``: NMS drops group member j for a kept i (mean per-frame IoU over their
        shared frames above ``threshold``, compared as ACT does: sum > threshold × count);
        ``None`` when no pair overlaps that much."""
        if group.size < 2:
            return None
        shared = np.minimum(self.lengths[group][:, None], self.lengths[group][None, :])
        boxes = self.shifted[group]
        ious = _iou_plus_one(boxes[:, None], boxes[None, :])
        summed = np.where(np.arange(boxes.shape[1]) < shared[..., None], ious, 0.0).sum(axis=-1)
        drops = summed > threshold * shared
        np.fill_diagonal(drops, False)
        return drops.tolist() if drops.any() else None

    def link_overlaps(self, lasts: np.ndarray, group: np.ndarray) -> np.ndarray:
        """ACT's overlap of each tubelet ``lasts[i]`` (a tube's last) with each ``group[j]``
        (the tubelets starting on one frame, after the lasts' starts): the mean per-frame IoU
        over their shared frames, or the IoU of the last's last box with j's first box."""
        offsets = int(self.starts[group[0]]) - self.starts[lasts]
        shared = np.minimum((self.lengths[lasts] - offsets)[:, None], self.lengths[group][None, :])
        tails = self.shifted[lasts, self.lengths[lasts] - 1]
        overlaps = _iou_plus_one(tails[:, None], self.shifted[group, 0][None, :])
        span = int(shared.max())
        if span > 0:
            steps = np.arange(span)
            index = np.minimum(offsets[:, None] + steps, self.boxes.shape[1] - 1)
            ahead = self.shifted[lasts[:, None], index]  # (L, span, 4)
            ious = _iou_plus_one(ahead[:, None], self.shifted[group, :span][None])  # (L, m, span)
            near = shared > 0
            summed = np.where(steps < shared[..., None], ious, 0.0).sum(axis=-1)
            overlaps[near] = summed[near] / shared[near]
        return overlaps


class _Tube:
    """A tube being linked: its tubelets, the start of the last one, its mean score."""

    __slots__ = ("tubelets", "last_start", "score_sum", "mean")

    def __init__(self, tubelet: int, start: int, score: float) -> None:
        self.tubelets = [tubelet]
        self.last_start = start
        self.score_sum = score
        self.mean = score

    def extend(self, tubelet: int, start: int, score: float) -> None:
        self.tubelets.append(tubelet)
        self.last_start = start
        self.score_sum += score
        self.mean = self.score_sum / len(self.tubelets)


def _tubelet_nms(order: list[int], drops: list[list[bool]] | None, top_k: int) -> list[int]:
    """Group positions kept by tubelet NMS, best first, from positions by descending score."""
    if drops is None:
        return order[:top_k]
    kept: list[int] = []
    remaining = order
    while remaining and len(kept) < top_k:
        best = remaining[0]
        kept.append(best)
        row = drops[best]
        remaining = [j for j in remaining[1:] if not row[j]]
    return kept


def _link(
    video: _Video, num_classes: int, nms_iou: float, top_k: int, link_iou: float, end_after: int
) -> list[list[_Tube]]:
    """ACT's linking for every class at once: frames outside, classes inside, so that the
    overlaps of a frame are computed once for all classes. Returns each class's tubes."""
    finished: list[list[_Tube]] = [[] for _ in range(num_classes)]
    live: list[list[_Tube]] = [[] for _ in range(num_classes)]
    for frame in video.frames:
        group = video.groups[frame]
        members = group.tolist()
        group_scores = video.scores[group]
        orders = np.argsort(-group_scores, axis=0, kind="stable").T.tolist()
        group_scores = group_scores.tolist()
        drops = video.suppression(group, nms_iou)
        for label in range(num_classes):
            still = []
            for tube in live[label]:
                (finished[label] if frame - tube.last_start > end_after else still).append(tube)
            live[label] = sorted(still, key=lambda t: -t.mean)
        lasts = sorted({tube.tubelets[-1] for tubes in live for tube in tubes})
        rows = dict(zip(lasts, video.link_overlaps(np.array(lasts, dtype=np.int64), group).tolist())) if lasts else {}
        for label in range(num_classes):
            kept = _tubelet_nms(orders[label], drops, top_k)
            free = dict.fromkeys(kept, True)
            still = []
            for tube in live[label]:
                overlaps = rows[tube.tubelets[-1]]
                # Candidates are in NMS order (descending score): the first valid is the best.
                choice = next((j for j in kept if free[j] and overlaps[j] >= link_iou), None)
                if choice is not None:
                    free[choice] = False
                    tube.extend(members[choice], frame, group_scores[choice][label])
                    still.append(tube)
                elif frame - tube.last_start >= end_after:
                    finished[label].append(tube)
                else:
                    still.append(tube)
            still.extend(_Tube(members[j], frame, group_scores[j][label]) for j in kept if free[j])
            live[label] = still
    return [done + alive for done, alive in zip(finished, live)]


def _build_tube(video: _Video, name: str, label: int, tube: _Tube) -> ActionTube:
    """Per frame of the tube's span, the mean box, score and uncertainty of the covering tubelets."""
    members = np.asarray(tube.tubelets)
    starts, lengths = video.starts[members], video.lengths[members]
    first, last = int(starts.min()), int((starts + lengths - 1).max())
    span = last - first + 1
    steps = np.arange(video.boxes.shape[1])
    inside = steps[None, :] < lengths[:, None]
    rows = ((starts - first)[:, None] + steps[None, :])[inside]
    counts = np.bincount(rows, minlength=span).astype(np.float64)
    boxes = video.boxes[members][inside]
    values = [boxes[:, i] for i in range(4)]
    values.append(np.broadcast_to(video.scores[members, label][:, None], inside.shape)[inside])
    if video.uncertainty is not None:
        values.append(np.broadcast_to(video.uncertainty[members, label][:, None], inside.shape)[inside])
    covered = counts > 0
    means = np.zeros((span, len(values)))
    for column, weights in enumerate(values):
        means[covered, column] = np.bincount(rows, weights=weights, minlength=span)[covered] / counts[covered]
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


def _interpolate_gaps(values: np.ndarray, covered: np.ndarray) -> np.ndarray:
    if covered.all():
        return values
    index = np.arange(len(values))
    out = values.copy()
    for column in range(values.shape[1]):
        out[:, column] = np.interp(index, index[covered], values[covered, column])
    return out


def link_action_tubes(
    tubelets: Sequence[ScoredTubelet],
    num_classes: int,
    *,
    nms_iou: float = LinkingOptions.nms_iou,
    top_k: int = LinkingOptions.top_k,
    link_iou: float = LinkingOptions.link_iou,
    end_after: int = LinkingOptions.end_after,
    min_length: int = LinkingOptions.min_length,
    min_score: float = LinkingOptions.min_score,
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
    for label, label_tubes in enumerate(_link(video, num_classes, nms_iou, top_k, link_iou, end_after)):
        for tube in label_tubes:
            if tube.mean < min_score:
                continue
            members = np.asarray(tube.tubelets)
            length = int((video.starts[members] + video.lengths[members]).max() - video.starts[members].min())
            if length < min_length:
                continue
            tubes.append(_build_tube(video, name, label, tube))
    return tubes


def link_video_tubes(
    tubelets: Sequence[ScoredTubelet], num_classes: int, **options: float
) -> dict[str, list[ActionTube]]:
    """:func:`link_action_tubes` for each video of ``tubelets``, keyed by video, in first-seen
    order; ``options`` are its keyword arguments (:class:`LinkingOptions`' fields)."""
    by_video: dict[str, list[ScoredTubelet]] = {}
    for tubelet in tubelets:
        by_video.setdefault(tubelet.video, []).append(tubelet)
    return {name: link_action_tubes(group, num_classes, **options) for name, group in by_video.items()}
