"""OpenCV's HOG people detector: works offline, fast, weak; the fallback users choose."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from wsad_core.detect.base import DetectorOptions, PersonBoxes, empty_boxes
from wsad_core.detect.registry import register_detector

# The detector's window is 64×128 pixels: people smaller than that are missed, so small
# frames are enlarged until their shorter side reaches this many pixels.
MIN_SHORT_SIDE = 480


class HogDetector:
    name = "hog"

    def __init__(self, options: DetectorOptions) -> None:
        self.options = options
        self.min_short_side = options.min_size or MIN_SHORT_SIDE
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def identity(self) -> dict[str, object]:
        return {
            "detector": self.name,
            "opencv": cv2.__version__,
            "min_short_side": self.min_short_side,
            "score_threshold": self.options.score_threshold,
        }

    def detect(self, frames: Sequence[np.ndarray]) -> list[PersonBoxes]:
        return [self._detect_one(frame) for frame in frames]

    def _detect_one(self, frame: np.ndarray) -> PersonBoxes:
        height, width = frame.shape[:2]
        scale = max(1.0, self.min_short_side / min(height, width))
        image = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
        if scale > 1:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        rects, weights = self._hog.detectMultiScale(image, winStride=(8, 8), padding=(8, 8), scale=1.05)
        if len(rects) == 0:
            return empty_boxes()
        # SVM margins are unbounded; a logistic maps them to (0, 1) like other detectors' scores.
        scores = 1.0 / (1.0 + np.exp(-np.asarray(weights, dtype=np.float64).reshape(-1)))
        boxes = np.asarray(rects, dtype=np.float64) / scale
        boxes[:, 2:] += boxes[:, :2]
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, width)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, height)
        keep = scores >= self.options.score_threshold
        return PersonBoxes(boxes[keep].astype(np.float32), scores[keep].astype(np.float32))


@register_detector("hog", "OpenCV HOG people detector (offline, weak)")
def _create(options: DetectorOptions) -> HogDetector:
    return HogDetector(options)
