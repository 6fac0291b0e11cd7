"""The optimiser named by the config: SGD with momentum (the paper's) or AdamW.

As in PySlowFast, weight decay is not applied to BatchNorm parameters and biases under AdamW,
whose decoupled decay would otherwise pull the normalisation scales towards zero.
"""

from __future__ import annotations

import torch
from torch import nn

from wsad_core.train.config import OPTIMIZERS, OptimConfig


def make_optimizer(model: nn.Module, optim: OptimConfig) -> torch.optim.Optimizer:
    if optim.method == "sgd":
        return torch.optim.SGD(
            model.parameters(), lr=optim.lr, momentum=optim.momentum, weight_decay=optim.weight_decay
        )
    if optim.method == "adamw":
        decay = [p for p in model.parameters() if p.ndim > 1]
        no_decay = [p for p in model.parameters() if p.ndim <= 1]
        groups = [{"params": decay, "weight_decay": optim.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=optim.lr)
    raise ValueError(f"unknown optimiser {optim.method!r} (one of {', '.join(OPTIMIZERS)})")
