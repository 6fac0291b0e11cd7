"""Temporal trimming of action tubes: an optional step after linking, off by default.

ACT's tubes span from their first tubelet to their last, and in untrimmed videos they run
on while the person no longer does the action. :func:`trim_tube_temporally` keeps the parts
where the action happens, with the two-state Viterbi labelling of Singh et al. (ICCV 2017,
also used by Saha et al.): each frame is labelled *action* (gain: the frame's class score)
or *background* (gain: 1 - score), each change of label costs ``switch_penalty``, and the
labelling of largest total gain is found exactly. Every run of action frames at least
``min_length`` long becomes a tube.
"""

from __future__ import annotations

import numpy as np

from wsad_core.tubes.action_tubes import ActionTube


def _action_frames(scores: np.ndarray, switch_penalty: float) -> np.ndarray:
    """The best labelling (True = action) of frames with these class scores."""
    gains = np.stack([1.0 - scores, scores], axis=1)  # background, action
    total = gains[0].copy()
    came_from = np.zeros((len(scores), 2), dtype=np.int64)
    switch = np.array([[0.0, switch_penalty], [switch_penalty, 0.0]])  # [previous, current]
    for t in range(1, len(scores)):
        options = total[:, None] - switch  # (previous, current)
        came_from[t] = np.argmax(options, axis=0)
        total = options[came_from[t], [0, 1]] + gains[t]
    labels = np.empty(len(scores), dtype=np.int64)
    labels[-1] = int(np.argmax(total))
    for t in range(len(scores) - 1, 0, -1):
        labels[t - 1] = came_from[t, labels[t]]
    return labels.astype(bool)


def trim_tube_temporally(
    tube: ActionTube, *, switch_penalty: float = 0.3, min_length: int = 15
) -> list[ActionTube]:
    """The action parts of ``tube`` as tubes (possibly none, possibly several).

    Each part keeps its frames' boxes, scores and uncertainty; its score is the mean of its
    frame scores. On equal gains a frame is labelled background.
    """
    if switch_penalty < 0:
        raise ValueError("switch_penalty must not be negative")
    scores = np.asarray(tube.frame_scores, dtype=np.float64)
    if scores.size == 0:
        return []
    action = _action_frames(scores, switch_penalty)
    edges = np.flatnonzero(np.diff(np.r_[0, action.astype(np.int8), 0]))
    parts = []
    for first, end in zip(edges[::2], edges[1::2]):
        if end - first < min_length:
            continue
        part = slice(int(first), int(end))
        parts.append(
            ActionTube(
                video=tube.video,
                label_index=tube.label_index,
                score=float(scores[part].mean()),
                frames=tube.frames[part],
                boxes=tube.boxes[part],
                frame_scores=tube.frame_scores[part],
                frame_uncertainty=None if tube.frame_uncertainty is None else tube.frame_uncertainty[part],
            )
        )
    return parts
