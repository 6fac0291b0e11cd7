"""Learning rate: linear warm-up, then cosine decay or steps (as PySlowFast)."""

from __future__ import annotations

import math

from wsad_core.train.config import OptimConfig


def learning_rate(optim: OptimConfig, epoch_float: float, total_epochs: float) -> float:
    """The rate at a fractional epoch (epoch + step / steps_per_epoch)."""
    if optim.schedule == "cosine":
        rate = optim.lr * 0.5 * (1 + math.cos(math.pi * min(epoch_float / max(total_epochs, 1e-9), 1.0)))
    elif optim.schedule == "steps":
        rate = optim.lr * 0.1 ** sum(epoch_float >= e for e in optim.step_epochs)
    else:
        raise ValueError(f"unknown schedule {optim.schedule!r} (cosine or steps)")
    if optim.warmup_epochs > 0 and epoch_float < optim.warmup_epochs:
        start = optim.lr * 0.1
        target = learning_rate(
            OptimConfig(**{**optim.__dict__, "warmup_epochs": 0}), optim.warmup_epochs, total_epochs
        )
        rate = start + (target - start) * epoch_float / optim.warmup_epochs
    return rate
