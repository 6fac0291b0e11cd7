"""Reading a run's stored predictions: what the studio draws on a frame, scores of a clip.

:class:`RunPredictions` loads a video's arrays on first use and keeps the recently used
videos in memory, so stepping through frames costs a lookup, not a file read.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from wsad_core.errors import ProjectError
from wsad_core.project.predictions import PredictionSetRecord, VideoPredictions

if TYPE_CHECKING:
    from wsad_core.tubes.action_tubes import ActionTube


@dataclass(frozen=True)
class TubeBox:
    """One action tube's box on one frame, as the studio draws it."""

    tube_index: int
    label_index: int
    label: str
    tube_score: float
    score: float  # the tube's score on this frame
    uncertainty: float | None
    box: tuple[float, float, float, float]  # pixels


@dataclass(frozen=True, eq=False)
class TubeletBoxes:
    """The tubelets covering one frame: their track ids, boxes there (pixels), and the
    class scores and σ² read at their centre frames."""

    track_ids: np.ndarray
    boxes: np.ndarray
    scores: np.ndarray
    uncertainty: np.ndarray | None


class RunPredictions:
    """Read access to a run's stored predictions; recently used videos stay in memory."""

    def __init__(self, record: PredictionSetRecord, *, cache_size: int = 8) -> None:
        self.record = record
        self.labels = record.labels
        self._cache: OrderedDict[str, VideoPredictions] = OrderedDict()
        self._spans: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._cache_size = cache_size

    @property
    def videos(self) -> list[str]:
        return list(self.record.videos)

    def video(self, name: str) -> VideoPredictions:
        if name in self._cache:
            self._cache.move_to_end(name)
            return self._cache[name]
        if name not in self.record.videos:
            raise ProjectError(f"run {self.record.run_id} has no predictions for video {name!r}")
        loaded = VideoPredictions.load(self.record.folder / self.record.videos[name], name)
        self._cache[name] = loaded
        if len(self._cache) > self._cache_size:
            evicted, _ = self._cache.popitem(last=False)
            self._spans.pop(evicted, None)
        return loaded

    def tubes(self, video: str, *, min_score: float = 0.0) -> list[ActionTube]:
        return [t for t in self.video(video).tubes if t.score >= min_score]

    def all_tubes(self) -> list[ActionTube]:
        return [tube for name in self.videos for tube in self.video(name).tubes]

    def tubes_at(self, video: str, frame: int, *, min_score: float = 0.0) -> list[TubeBox]:
        """The boxes of the action tubes present on ``frame``, best tube first."""
        data = self.video(video)
        if video not in self._spans:
            self._spans[video] = (
                np.array([int(t.frames[0]) for t in data.tubes], dtype=np.int64),
                np.array([int(t.frames[-1]) for t in data.tubes], dtype=np.int64),
                np.array([t.score for t in data.tubes], dtype=np.float64),
            )
        first, last, scores = self._spans[video]
        present = np.flatnonzero((first <= frame) & (frame <= last) & (scores >= min_score))
        found = []
        for index in present[np.argsort(-scores[present], kind="stable")].tolist():
            tube = data.tubes[index]
            offset = int(frame) - int(first[index])
            uncertainty = None if tube.frame_uncertainty is None else float(tube.frame_uncertainty[offset])
            found.append(
                TubeBox(index, tube.label_index, self.labels[tube.label_index], float(tube.score),
                        float(tube.frame_scores[offset]), uncertainty,
                        tuple(float(v) for v in tube.boxes[offset]))
            )
        return found

    def tubelets_at(self, video: str, frame: int) -> TubeletBoxes:
        data = self.video(video)
        k = data.tubelet_boxes.shape[1] if data.tubelet_boxes.ndim == 3 else 0
        offsets = int(frame) - data.tubelet_first.astype(np.int64)
        rows = np.flatnonzero((offsets >= 0) & (offsets < k))
        return TubeletBoxes(
            data.tubelet_track[rows], data.tubelet_boxes[rows, offsets[rows]], data.tubelet_scores[rows],
            None if data.tubelet_uncertainty is None else data.tubelet_uncertainty[rows],
        )

    def clip_scores(self, video: str, first_frame: int, last_frame: int) -> np.ndarray:
        """Per-class score of a clip, as the MIL max over the tubelets centred in
        ``first_frame..last_frame`` (zeros without any): label suggestions for a clip."""
        data = self.video(video)
        k = data.tubelet_boxes.shape[1] if data.tubelet_boxes.ndim == 3 else 0
        centres = data.tubelet_first.astype(np.int64) + k // 2
        inside = (centres >= first_frame) & (centres <= last_frame)
        if not inside.any():
            return np.zeros(len(self.labels), dtype=np.float32)
        return data.tubelet_scores[inside].max(axis=0)
