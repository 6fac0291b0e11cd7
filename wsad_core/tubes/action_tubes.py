"""The objects of inference: scored tubelets in, action tubes out.

A :class:`ScoredTubelet` is one tubelet of a video with the model's per-class probabilities
and uncertainties (read at its centre frame). Linking (``wsad_core.tubes.linking``) turns
them, per class, into :class:`ActionTube` objects: one person doing one action over a span
of consecutive frames, which Video AP evaluates and the exports and the studio draw.
Frames are 0-based indices of decoded frames; boxes are pixels of the source video.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class ScoredTubelet:
    video: str
    track_id: int
    frames: np.ndarray  # (K,) consecutive 0-based frame indices
    boxes: np.ndarray  # (K, 4) x1 y1 x2 y2 in pixels
    scores: np.ndarray  # (C,) class probabilities
    uncertainty: np.ndarray | None  # (C,) σ² per class, None without an uncertainty head


@dataclass(frozen=True, eq=False)
class ActionTube:
    video: str
    label_index: int  # index into the run's label space
    score: float  # mean of the linked tubelets' scores for this class
    frames: np.ndarray  # (T,) consecutive 0-based frame indices
    boxes: np.ndarray  # (T, 4) pixels, averaged over the tubelets covering each frame
    frame_scores: np.ndarray  # (T,) mean class score of the tubelets covering each frame
    frame_uncertainty: np.ndarray | None  # (T,) mean σ² of those tubelets, or None

    def __post_init__(self) -> None:
        if len(self.frames) != len(self.boxes) or len(self.frames) != len(self.frame_scores):
            raise ValueError("an action tube needs one box and one score per frame")
