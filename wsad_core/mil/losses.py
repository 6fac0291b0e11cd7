"""Bag-level losses: the MIL binary cross-entropy (Eq. 2) and its uncertainty-aware form (Eq. 6).

Both are *means* over bags and classes, where the paper's Eq. 2 sums. A sum scales the
gradient with the batch size and the number of classes, so the learning rate would have to
be retuned whenever either changes (AVA has 80 classes, UCF101-24 has 24); with the mean it
does not. The minimiser is the same.
"""

from __future__ import annotations

from typing import Protocol

import torch
from torch import Tensor

from wsad_core.mil.aggregate import BagPrediction


def _check_targets(prediction: BagPrediction, targets: Tensor) -> None:
    if targets.shape != prediction.log_p.shape:
        raise ValueError(
            f"targets must be (B, C) = {tuple(prediction.log_p.shape)}, not {tuple(targets.shape)}"
        )


def bag_bce_terms(prediction: BagPrediction, targets: Tensor) -> Tensor:
    """Per (bag, class) binary cross-entropy -(y log p + (1 - y) log(1 - p)), shape (B, C)."""
    _check_targets(prediction, targets)
    return -(targets * prediction.log_p + (1 - targets) * prediction.log_not_p)


def bag_bce(prediction: BagPrediction, targets: Tensor) -> Tensor:
    """Eq. 2: binary cross-entropy of the bag probabilities, averaged over bags and classes."""
    return bag_bce_terms(prediction, targets).mean()


def selected_log_var(
    prediction: BagPrediction, instance_log_var: Tensor, mask: Tensor
) -> Tensor:
    """The log-variance v (B, C) that goes with each bag prediction.

    Under max-pooling it is the v of the instance that max-pooling selected for that class
    (section 3.4), so only that instance's uncertainty receives gradient. The paper defines
    nothing else; for aggregations that blend all instances we use the mean v over the bag's
    real instances, the uncertainty of the blend with every instance weighted alike, which
    coincides with the max case for a bag of one.
    """
    if instance_log_var.dim() != 3 or instance_log_var.shape[:2] != mask.shape:
        raise ValueError(
            f"instance_log_var must be (B, M, C) with (B, M) = {tuple(mask.shape)}, "
            f"not {tuple(instance_log_var.shape)}"
        )
    if prediction.selected is not None:
        return instance_log_var.gather(1, prediction.selected.unsqueeze(1)).squeeze(1)
    mask3 = mask.unsqueeze(-1)
    total = torch.where(mask3, instance_log_var, 0.0).sum(dim=1)
    return total / mask3.sum(dim=1)


def uncertainty_bce(
    prediction: BagPrediction, targets: Tensor, instance_log_var: Tensor, mask: Tensor
) -> Tensor:
    """Eq. 6: exp(-v) * BCE + v per (bag, class), averaged over bags and classes.

    ``v = log sigma^2`` is the predicted log-variance (see :func:`selected_log_var` for which
    instance's v a bag uses). Predicting log sigma^2 rather than sigma^2 means 1 / sigma^2 =
    exp(-v) never divides by zero (section 3.4).

    Sign convention: the paper writes the softplus as log(1 + exp(-x)) yet requires
    v = log sigma^2 >= 0 (positivity); its intent is the ordinary softplus, and our model
    outputs v = softplus(z) = log(1 + exp(z)) >= 0. Hence sigma^2 >= 1: the factor exp(-v)
    only ever down-weights a bag's cross-entropy, never amplifies it, and the + v term
    charges for every unit of doubt. Since dL/dv = 1 - exp(-v) * BCE, the optimal v is
    log BCE when BCE > 1 and 0 (the constraint) otherwise: a bag claims uncertainty only
    once its cross-entropy exceeds one nat (for a positive label, p < 1/e), i.e. when the
    label looks wrong for the sampled tubelets, as Fig. 3 of the paper illustrates. Early in
    training from scratch nearly every positive bag is like that, which is why the model's
    uncertainty head starts at v of about 0 (:data:`wsad_core.model.detector.INITIAL_LOG_VARIANCE`).
    """
    bce = bag_bce_terms(prediction, targets)
    v = selected_log_var(prediction, instance_log_var, mask)
    if v.shape != bce.shape:
        raise ValueError(f"instance_log_var has {v.shape[-1]} classes, targets {bce.shape[-1]}")
    return (torch.exp(-v) * bce + v).mean()


class BagLoss(Protocol):
    def __call__(
        self,
        prediction: BagPrediction,
        targets: Tensor,
        instance_log_var: Tensor | None,
        mask: Tensor,
    ) -> Tensor: ...


def _bce_without_uncertainty(
    prediction: BagPrediction, targets: Tensor, instance_log_var: Tensor | None, mask: Tensor
) -> Tensor:
    return bag_bce(prediction, targets)


def _uncertainty(
    prediction: BagPrediction, targets: Tensor, instance_log_var: Tensor | None, mask: Tensor
) -> Tensor:
    if instance_log_var is None:
        raise ValueError("the uncertainty loss needs the model's instance_log_var")
    return uncertainty_bce(prediction, targets, instance_log_var, mask)


LOSSES: dict[str, BagLoss] = {
    "bce": _bce_without_uncertainty,
    "uncertainty": _uncertainty,
}
"""Every entry takes (prediction, targets, instance_log_var or None, mask), so a training
loop calls whichever the config names the same way."""
