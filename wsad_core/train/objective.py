"""The training objective of each mode: MIL over bags, or the naive per-tubelet baseline."""

from __future__ import annotations

import torch

from wsad_core.data import BagBatch
from wsad_core.mil.aggregate import aggregate
from wsad_core.mil.losses import bag_bce, uncertainty_bce
from wsad_core.mil.targets import instance_bce, naive_instance_targets
from wsad_core.train.config import TrainConfig


def objective_mode(config: TrainConfig, epoch_float: float) -> str:
    """The mode whose loss trains at this point: ``naive`` during a MIL run's naive warm-up."""
    if config.mode == "mil" and epoch_float < config.naive_warmup_epochs:
        return "naive"
    return config.mode


def training_loss(
    config: TrainConfig,
    batch: BagBatch,
    logits: torch.Tensor,
    log_var: torch.Tensor | None,
    epoch_float: float = float("inf"),
) -> torch.Tensor:
    """Loss of a batch from per-clip logits (N, C) and log-variances (N, C) or None, at a
    fractional epoch (the default: after any warm-up)."""
    instance_logits = batch.pad(logits.float())
    if objective_mode(config, epoch_float) in ("naive", "full"):  # full: bags of one box labelled from GT
        targets = naive_instance_targets(batch.targets, batch.mask)
        return instance_bce(instance_logits, targets, batch.mask)
    prediction = aggregate(instance_logits, batch.mask, config.aggregation, config.r)
    if config.loss == "uncertainty":
        if log_var is None:
            raise ValueError("the uncertainty loss needs a model built with its uncertainty head")
        return uncertainty_bce(prediction, batch.targets, batch.pad(log_var.float()), batch.mask)
    return bag_bce(prediction, batch.targets)
