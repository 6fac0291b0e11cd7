"""What is drawn over video frames: ground-truth boxes and a run's predicted tubes.

An overlay is a provider: a callable from a frame index to the :class:`OverlayBox` items to draw
on that frame. The player asks each provider it holds for every frame it shows; raw person
detections or tubelets would plug in as one more provider.
"""

from wsad_studio.overlays.boxes import BoxLayer, OverlayBox, OverlayProvider
from wsad_studio.overlays.ground_truth import ground_truth_overlay
from wsad_studio.overlays.predictions import prediction_overlay, prediction_spans

__all__ = [
    "BoxLayer", "OverlayBox", "OverlayProvider", "ground_truth_overlay", "prediction_overlay", "prediction_spans",
]
