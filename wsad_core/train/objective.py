"""The training objective of each mode: MIL over bags, or the naive per-tubelet baseline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from wsad_core.data import BagBatch
from wsad_core.mil.bags import Bag
from wsad_core.mil.aggregate import aggregate
from wsad_core.mil.losses import bag_bce, uncertainty_bce
from wsad_core.mil.priors import label_rates, mean_draw_size, prior_logits
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


def starting_class_bias(config: TrainConfig, bags: Sequence[Bag], labels: Sequence[str]) -> np.ndarray:
    """Class biases (``classifier_bias=prior``) that start the first bag scores of the run's
    first objective at the training labels' rates."""
    per_tubelet = objective_mode(config, 0.0) in ("naive", "full")
    aggregation = None if per_tubelet else config.aggregation
    draw = mean_draw_size(bags, config.data.tubelets_per_bag)
    return prior_logits(label_rates(bags, labels), aggregation, draw)
