"""What a run's config means on its device: mixed precision, and where batches are resized."""

from __future__ import annotations

import contextlib

import torch

from wsad_core.errors import WsadError
from wsad_core.train.config import TrainConfig


def amp_mode(config: TrainConfig, device: torch.device) -> str:
    """``off``, ``bf16`` or ``fp16``: what ``config.amp`` means on ``device`` (auto: bf16 on CUDA)."""
    mode = config.amp
    if mode == "auto":
        mode = "bf16" if device.type == "cuda" else "off"
    if mode not in ("off", "bf16", "fp16"):
        raise WsadError(f"unknown amp mode {config.amp!r} (auto, bf16, fp16, off)")
    return mode


def resize_on_device(config: TrainConfig, device: torch.device) -> bool:
    """Whether batches are resized on the training device (``data.resize_on``; auto: on CUDA)."""
    place = config.data.resize_on
    return place == "device" or (place == "auto" and device.type == "cuda")


def autocast(config: TrainConfig, device: torch.device) -> contextlib.AbstractContextManager:
    mode = amp_mode(config, device)
    if mode == "off":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16 if mode == "bf16" else torch.float16)
