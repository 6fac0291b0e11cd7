"""A run's predicted action tubes: boxes over the frame and spans on the timeline.

Each tube keeps one colour (by tube), its caption gives the label and the tube's score on the
frame, and a higher predicted uncertainty (σ²) draws the box fainter. Boxes are dashed so they
never pass for ground truth.
"""

from __future__ import annotations

from collections.abc import Sequence

from wsad_core.errors import WsadError
from wsad_core.project.labels import PALETTE
from wsad_core.project.prediction_reader import RunPredictions

from wsad_studio.overlays.boxes import OverlayBox, OverlayProvider
from wsad_studio.state import AppState

FAINTEST = 0.35


def opacity_for(uncertainty: float | None) -> float:
    """1 for a certain prediction, falling towards FAINTEST as σ² grows (1/(1+σ²))."""
    if uncertainty is None:
        return 1.0
    return max(FAINTEST, 1.0 / (1.0 + max(uncertainty, 0.0)))


def prediction_overlay(state: AppState, predictions: RunPredictions, min_score: float = 0.0) -> OverlayProvider:
    """Boxes of the tubes present on a frame of the video shown (none for a video the run did
    not predict)."""

    def boxes(frame: int) -> list[OverlayBox]:
        video = state.video
        if video is None or video.name not in predictions.videos:
            return []
        try:
            size = predictions.video(video.name)
            found = predictions.tubes_at(video.name, frame, min_score=min_score)
        except WsadError:
            return []
        width, height = float(size.width), float(size.height)
        drawn = []
        for tube in found:
            x1, y1, x2, y2 = tube.box
            caption = f"{tube.label} {tube.score:.2f}"
            if tube.uncertainty is not None:
                caption += f" σ²{tube.uncertainty:.2f}"
            drawn.append(
                OverlayBox(
                    x1 / width, y1 / height, x2 / width, y2 / height,
                    color=PALETTE[tube.tube_index % len(PALETTE)], text=caption, dashed=True,
                    opacity=opacity_for(tube.uncertainty),
                )
            )
        return drawn

    return boxes


def prediction_spans(state: AppState, predictions: RunPredictions, min_score: float = 0.0):  # noqa: ANN201
    """A timeline span layer: for a label, the (start, end) seconds of its predicted tubes."""

    def spans(label: str) -> Sequence[tuple[float, float]]:
        video = state.video
        if video is None or video.name not in predictions.videos:
            return []
        fps = state.fps
        return [
            (int(tube.frames[0]) / fps, (int(tube.frames[-1]) + 1) / fps)
            for tube in predictions.tubes(video.name, min_score=min_score)
            if predictions.labels[tube.label_index] == label
        ]

    return spans
