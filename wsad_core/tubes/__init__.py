"""Boxes over time: IoU of boxes and tubes, person tracks, and tubelets (MIL instances)."""

from wsad_core.tubes.iou import box_iou, temporal_iou, tube_iou
from wsad_core.tubes.tracks import FrameDetections, Track, link_tracks
from wsad_core.tubes.tubelets import Tubelet, cut_tubelets, deduplicate_tubelets

__all__ = [
    "FrameDetections",
    "Track",
    "Tubelet",
    "box_iou",
    "cut_tubelets",
    "deduplicate_tubelets",
    "link_tracks",
    "temporal_iou",
    "tube_iou",
]
