"""What is drawn over video frames: ground-truth boxes now, predicted tubes and uncertainty later.

An overlay is a provider: a callable from a frame index to the :class:`OverlayBox` items to draw
on that frame. The player asks each provider it holds for every frame it shows, so predictions of
a run (``wsad_core.infer`` storage) plug in as one more provider.
"""

from wsad_studio.overlays.boxes import BoxLayer, OverlayBox, OverlayProvider
from wsad_studio.overlays.ground_truth import ground_truth_overlay

__all__ = ["BoxLayer", "OverlayBox", "OverlayProvider", "ground_truth_overlay"]
