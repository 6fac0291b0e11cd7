"""Faster R-CNN person detectors from torchvision (COCO class 1, "person").

Weights come from a local checkpoint (``weights=PATH``), from torchvision's own download
and cache (``~/.cache/torch/hub`` or ``$TORCH_HOME``), or are random (``weights="random"``,
for plumbing tests only). When none is available the detector refuses to start, with a
message saying how to get the weights and which detectors work offline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.error import URLError

import numpy as np
import torch
from torchvision.models.detection import (
    FasterRCNN_MobileNet_V3_Large_320_FPN_Weights,
    FasterRCNN_ResNet50_FPN_V2_Weights,
    fasterrcnn_mobilenet_v3_large_320_fpn,
    fasterrcnn_resnet50_fpn_v2,
)

from wsad_core.detect.base import DetectorOptions, PersonBoxes, resolve_device
from wsad_core.detect.registry import OFFLINE_DETECTORS, register_detector
from wsad_core.errors import WsadError

COCO_PERSON = 1


def _load_state_dict(name: str, url: str, weights: str | None) -> dict | None:
    """The checkpoint to load, or None for random weights."""
    if weights == "random":
        return None
    if weights is not None:
        path = Path(weights).expanduser()
        if not path.is_file():
            raise WsadError(f"{path}: no such weights file for detector {name!r}")
        return torch.load(path, map_location="cpu", weights_only=True)
    try:
        return torch.hub.load_state_dict_from_url(url, map_location="cpu", progress=False)
    except (URLError, OSError, RuntimeError) as exc:
        cache = Path(torch.hub.get_dir()) / "checkpoints" / Path(url).name
        raise WsadError(
            f"detector {name!r} needs COCO weights, which are not cached and could not be "
            f"downloaded ({exc}). Download {url} on a machine that is online and put it at "
            f"{cache}, or pass --weights PATH. Detectors that work offline: "
            f"{', '.join(OFFLINE_DETECTORS)}."
        ) from None


class TorchvisionPersonDetector:
    def __init__(
        self,
        name: str,
        builder: Callable[..., torch.nn.Module],
        url: str,
        default_min_size: int,
        options: DetectorOptions,
    ) -> None:
        self.name = name
        self.options = options
        self.url = url
        self.min_size = options.min_size or default_min_size
        state = _load_state_dict(name, url, options.weights)
        model = builder(weights=None, weights_backbone=None, min_size=self.min_size,
                        box_score_thresh=options.score_threshold)
        if state is not None:
            model.load_state_dict(state)
        self.device = torch.device(resolve_device(options.device))
        self.half = options.half and self.device.type == "cuda"
        self.model = model.eval().to(self.device)
        if self.half:
            self.model = self.model.half()

    def identity(self) -> dict[str, object]:
        weights = self.options.weights
        if weights not in (None, "random"):
            weights = f"{Path(weights).name}:{Path(weights).stat().st_size}"
        return {
            "detector": self.name,
            "weights": weights or Path(self.url).name,
            "min_size": self.min_size,
            "score_threshold": self.options.score_threshold,
            "half": self.half,
        }

    @torch.inference_mode()
    def detect(self, frames: Sequence[np.ndarray]) -> list[PersonBoxes]:
        dtype = torch.float16 if self.half else torch.float32
        images = [
            torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1).to(self.device, dtype) / 255
            for frame in frames
        ]
        results = []
        for output in self.model(images):
            person = output["labels"] == COCO_PERSON
            results.append(
                PersonBoxes(
                    output["boxes"][person].float().cpu().numpy(),
                    output["scores"][person].float().cpu().numpy(),
                )
            )
        return results


@register_detector("frcnn-r50-fpn-v2", "torchvision Faster R-CNN R50-FPN v2, COCO (accurate, slow on CPU)")
def _create_r50(options: DetectorOptions) -> TorchvisionPersonDetector:
    return TorchvisionPersonDetector(
        "frcnn-r50-fpn-v2",
        fasterrcnn_resnet50_fpn_v2,
        FasterRCNN_ResNet50_FPN_V2_Weights.COCO_V1.url,
        800,
        options,
    )


@register_detector("frcnn-mobilenet-320", "torchvision Faster R-CNN MobileNetV3-320, COCO (fast CPU option)")
def _create_mobilenet(options: DetectorOptions) -> TorchvisionPersonDetector:
    return TorchvisionPersonDetector(
        "frcnn-mobilenet-320",
        fasterrcnn_mobilenet_v3_large_320_fpn,
        FasterRCNN_MobileNet_V3_Large_320_FPN_Weights.COCO_V1.url,
        320,
        options,
    )
