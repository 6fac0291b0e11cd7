"""Person detectors and their results (for now: precomputed boxes in the AVA person-box format)."""

from wsad_core.detect.precomputed import read_precomputed_detections

__all__ = ["read_precomputed_detections"]
