"""What every person detector offers: RGB frames in, person boxes and scores out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class DetectorOptions:
    """Settings shared by the detectors; each uses those that apply to it."""

    weights: str | None = None  # a local checkpoint, "random" (plumbing tests), or None: the default
    score_threshold: float = 0.5
    min_size: int | None = None  # shorter side the image is resized to before detection
    batch_size: int = 4
    device: str = "auto"  # "auto": cuda when present, else cpu
    half: bool = False  # half precision, on GPU only
    extra: dict[str, str] = field(default_factory=dict)  # backend-specific, e.g. a detectron2 config


@dataclass(frozen=True)
class PersonBoxes:
    """Person boxes of one frame, in pixels (x1, y1, x2, y2), with scores."""

    boxes: np.ndarray  # (N, 4) float32
    scores: np.ndarray  # (N,) float32


class PersonDetector(Protocol):
    name: str

    def identity(self) -> dict[str, object]:
        """Everything that changes the output, for the detection cache key."""

    def detect(self, frames: Sequence[np.ndarray]) -> list[PersonBoxes]:
        """Detect people on a batch of HxWx3 uint8 RGB frames."""


def empty_boxes() -> PersonBoxes:
    return PersonBoxes(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32))


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device
