"""Person detectors behind one registry, and their results cached per video and configuration."""

from wsad_core.detect.base import DetectorOptions, PersonBoxes, PersonDetector
from wsad_core.detect.cache import DetectionSet, detection_sets
from wsad_core.detect.precomputed import read_precomputed_detections
from wsad_core.detect.registry import available_detectors, create_detector, register_detector
from wsad_core.detect.run import DetectionReport, FrameSelection, detect_videos, import_precomputed

__all__ = [
    "DetectionReport",
    "DetectionSet",
    "DetectorOptions",
    "FrameSelection",
    "PersonBoxes",
    "PersonDetector",
    "available_detectors",
    "create_detector",
    "detect_videos",
    "detection_sets",
    "import_precomputed",
    "read_precomputed_detections",
    "register_detector",
]
