"""The optimiser named by the config: SGD with momentum (the paper's) or AdamW.

As in PySlowFast, weight decay is not applied to BatchNorm parameters and biases under AdamW,
whose decoupled decay would otherwise pull the normalisation scales towards zero.

Every parameter group carries an ``lr_scale``: the schedule's rate times it is the group's
rate. The detector's heads (its classifier and uncertainty head) get ``optim.head_lr_scale``,
the rest 1.
"""

from __future__ import annotations

import torch
from torch import nn

from wsad_core.train.config import OPTIMIZERS, OptimConfig

#: Names of the detector's head modules (see ``ActionDetector``), whose rate ``head_lr_scale`` sets.
HEAD_MODULES = ("classifier", "uncertainty_head")


def make_optimizer(model: nn.Module, optim: OptimConfig) -> torch.optim.Optimizer:
    if optim.method not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {optim.method!r} (one of {', '.join(OPTIMIZERS)})")
    named = list(model.named_parameters())
    if optim.head_lr_scale == 1.0:  # one set, so runs saved before heads had their own rate resume
        parts = [([p for _, p in named], 1.0)]
    else:
        parts = [
            ([p for name, p in named if not name.startswith(HEAD_MODULES)], 1.0),
            ([p for name, p in named if name.startswith(HEAD_MODULES)], optim.head_lr_scale),
        ]
    groups = []
    for params, scale in parts:
        if optim.method == "sgd":
            groups.append({"params": params, "weight_decay": optim.weight_decay, "lr_scale": scale})
        else:
            groups.append({"params": [p for p in params if p.ndim > 1], "weight_decay": optim.weight_decay,
                           "lr_scale": scale})
            groups.append({"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0, "lr_scale": scale})
    groups = [group for group in groups if group["params"]]
    if optim.method == "sgd":
        return torch.optim.SGD(groups, lr=optim.lr, momentum=optim.momentum)
    return torch.optim.AdamW(groups, lr=optim.lr)


def set_learning_rate(optimizer: torch.optim.Optimizer, rate: float) -> None:
    """Give every group the schedule's ``rate`` times its ``lr_scale``."""
    for group in optimizer.param_groups:
        group["lr"] = rate * group.get("lr_scale", 1.0)
