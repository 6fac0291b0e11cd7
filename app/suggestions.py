"""Label suggestions from a run's stored predictions, so labelling speeds up as the model learns.

A clip's suggestion is a label whose MIL score over the clip's bag (the max over the tubelets
centred in its frames, as training pools them) reaches the threshold, that the vocabulary has
and that the clip does not have yet.
"""

from __future__ import annotations

from wsad_core.errors import WsadError
from wsad_core.project import ClipRecord
from wsad_core.project.clips import clip_frames
from wsad_core.project.prediction_reader import RunPredictions

SUGGESTION_THRESHOLD = 0.5


class Suggester:
    def __init__(self, predictions: RunPredictions, threshold: float = SUGGESTION_THRESHOLD) -> None:
        self.predictions = predictions
        self.threshold = threshold

    def for_clip(self, clip: ClipRecord, fps: float, vocabulary: set[str]) -> dict[str, float]:
        """Suggested label → its score, best first."""
        frames = clip_frames(clip.start, clip.end, fps)
        if clip.video_name not in self.predictions.videos or not frames:
            return {}
        try:
            scores = self.predictions.clip_scores(clip.video_name, frames.start, frames.stop - 1)
        except WsadError:
            return {}
        found = {
            label: float(score)
            for label, score in zip(self.predictions.labels, scores.tolist())
            if score >= self.threshold and label in vocabulary and label not in clip.labels
        }
        return dict(sorted(found.items(), key=lambda item: -item[1]))
