"""Raw person detections of a detection set (what tubelets are built from), as thin grey
boxes with their scores: for checking the detector before blaming the action model."""

from __future__ import annotations

import numpy as np

from wsad_core.detect.cache import DetectionSet
from wsad_core.tubes.tracks import FrameDetections

from wsad_studio.overlays.boxes import OverlayBox, OverlayProvider
from wsad_studio.state import AppState

DETECTION_COLOR = "#b0b0b0"


def detections_overlay(state: AppState, detection_set: DetectionSet, min_score: float = 0.0) -> OverlayProvider:
    """Boxes of ``detection_set`` on a frame of the video shown that score at least ``min_score``
    (none for a video the set has not processed). A video's detections are read once, when
    it is first drawn."""
    loaded: dict[str, FrameDetections | None] = {}

    def boxes(frame: int) -> list[OverlayBox]:
        video = state.video
        if video is None or not video.fingerprint:
            return []
        if video.fingerprint not in loaded:
            loaded[video.fingerprint] = _by_frame(detection_set.load(video.fingerprint))
        detections = loaded[video.fingerprint]
        if detections is None:
            return []
        start, stop = np.searchsorted(detections.frames, [frame, frame + 1])
        return [
            OverlayBox(*(float(v) for v in detections.boxes[i]), color=DETECTION_COLOR,
                       text=f"person {detections.scores[i]:.2f}")
            for i in range(start, stop)
            if detections.scores[i] >= min_score
        ]

    return boxes


def _by_frame(found: FrameDetections | None) -> FrameDetections | None:
    """The detections sorted by frame (stable: a frame's boxes keep their order), for searching."""
    if found is None:
        return None
    order = np.argsort(found.frames, kind="stable")
    return FrameDetections(found.frames[order], found.boxes[order], found.scores[order])
