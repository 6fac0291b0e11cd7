"""detectron2 detectors (any config + weights), registered only where detectron2 imports.

detectron2 is not on the package index; users who built it get this backend for free.
Options: ``extra={"config": CONFIG_YAML}`` and ``weights=CHECKPOINT``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wsad_core.detect.base import DetectorOptions, PersonBoxes, resolve_device
from wsad_core.detect.registry import register_detector
from wsad_core.errors import WsadError

COCO_PERSON_INDEX = 0  # detectron2 numbers COCO classes from 0


class Detectron2PersonDetector:
    name = "detectron2"

    def __init__(self, options: DetectorOptions) -> None:
        from detectron2.config import get_cfg
        from detectron2.engine import DefaultPredictor

        config_file = options.extra.get("config")
        if not config_file or not options.weights:
            raise WsadError("detector 'detectron2' needs --config CONFIG.yaml and --weights CHECKPOINT")
        cfg = get_cfg()
        cfg.merge_from_file(config_file)
        cfg.MODEL.WEIGHTS = str(options.weights)
        cfg.MODEL.DEVICE = resolve_device(options.device)
        cfg.MODEL.ROI_HEADS.SCORE_THRESH_TEST = options.score_threshold
        if options.min_size:
            cfg.INPUT.MIN_SIZE_TEST = options.min_size
        cfg.INPUT.FORMAT = "RGB"
        self.options = options
        self.config_file = config_file
        self.predictor = DefaultPredictor(cfg)

    def identity(self) -> dict[str, object]:
        return {
            "detector": self.name,
            "config": Path(self.config_file).name,
            "weights": Path(str(self.options.weights)).name,
            "min_size": self.options.min_size,
            "score_threshold": self.options.score_threshold,
        }

    def detect(self, frames: Sequence[np.ndarray]) -> list[PersonBoxes]:
        results = []
        for frame in frames:
            instances = self.predictor(frame)["instances"].to("cpu")
            person = instances.pred_classes.numpy() == COCO_PERSON_INDEX
            results.append(
                PersonBoxes(
                    instances.pred_boxes.tensor.numpy()[person].astype(np.float32),
                    instances.scores.numpy()[person].astype(np.float32),
                )
            )
        return results


if importlib.util.find_spec("detectron2") is not None:

    @register_detector("detectron2", "any detectron2 config + weights (detectron2 installed)")
    def _create(options: DetectorOptions) -> Detectron2PersonDetector:
        return Detectron2PersonDetector(options)
