"""Aggregation of tubelet scores into bag scores (section 3.1, Eqs. 1 and 3-5 of the paper).

Every aggregation works on the instance probabilities ``p_j = sigmoid(x_j)`` of the real
(unpadded) instances of a bag and returns the *logarithms* of the bag probability ``p`` and
of its complement ``1 - p``: the binary cross-entropy needs exactly these, and computing them
directly rather than as ``log(p)`` of a rounded ``p`` keeps the loss and its gradient finite
and accurate when the logits saturate (a confident logit of 30 already rounds ``p`` to 1.0 in
float32).

Padded instances never influence a result and always receive an exact zero gradient, even if
their logits are NaN: they are replaced by a constant before any arithmetic.

To add an aggregation, write a function with the :data:`Aggregator` signature and add a line
to :data:`AGGREGATORS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


@dataclass
class BagPrediction:
    """Bag-level scores for B bags and C classes.

    ``log_p`` is log p, ``log_not_p`` is log(1 - p), both (B, C). ``selected`` (B, C, long) is
    the index, within the padded bag, of the instance that max-pooling chose for each class,
    so the uncertainty loss can use that instance's variance; it is ``None`` for aggregations
    that do not select a single instance.
    """

    log_p: Tensor
    log_not_p: Tensor
    selected: Tensor | None = None


Aggregator = Callable[[Tensor, Tensor, float], BagPrediction]
"""(instance_logits (B, M, C) with padding replaced by 0, mask (B, M, 1) bool, r)."""


def _log_mean_exp(z: Tensor, mask: Tensor) -> Tensor:
    """log(mean_j exp(z_j)) over the real instances (dim 1), accurate when the z_j are close.

    Written as ``m + log1p(mean_j expm1(z_j - m))`` with ``m = max_j z_j``: like logsumexp it
    never overflows, but unlike ``logsumexp(z) - log n`` it does not lose the small result in
    rounding when all z_j are near 0 (all instances near-certain), which is where the
    complement ``1 - p`` of the generalised mean must be recovered from it.
    """
    m = torch.where(mask, z, -math.inf).amax(dim=1, keepdim=True).detach()
    n = mask.sum(dim=1, keepdim=True)
    shifted = torch.where(mask, z - m, 0.0)
    s = torch.where(mask, torch.expm1(shifted), 0.0).sum(dim=1, keepdim=True) / n
    return (m + torch.log1p(s)).squeeze(1)


def _log1mexp(a: Tensor) -> Tensor:
    """log(1 - exp(a)) for a < 0, by the two formulas each accurate on its side of -log 2."""
    near_zero = a > -math.log(2.0)
    far = torch.clamp(a, max=-math.log(2.0))
    return torch.where(near_zero, torch.log(-torch.expm1(a)), torch.log1p(-torch.exp(far)))


def _all_below_eps(log_instances: Tensor, mask: Tensor) -> Tensor:
    """(B, C) True where every real instance probability (given as its log) is below eps.

    There a power mean or LSE of the probabilities equals their arithmetic mean up to a
    relative error of order ``r * eps``, that is, to the precision of the dtype.
    """
    threshold = math.log(torch.finfo(log_instances.dtype).eps)
    return torch.where(mask, log_instances, -math.inf).amax(dim=1) < threshold


def _log_probability(
    value: Tensor, complement: Tensor, log_instances: Tensor, mask: Tensor
) -> Tensor:
    """log(value) for a pooled probability ``value`` (B, C) with ``complement`` = 1 - value.

    Both are computed in linear space, each accurate relative to its own size, so above 1/2
    the log is ``log1p(-complement)``. Where every instance probability is below the dtype's
    eps, ``value`` may be denormal or zero and the gradient of its log overflows; there the
    log of the arithmetic mean, computed from ``log_instances``, replaces it. In the remaining
    case ``value`` is at least about eps / n and its log is well behaved.
    """
    small = _all_below_eps(log_instances, mask)
    large = value > 0.5
    safe_value = torch.where(small | large, torch.ones_like(value), value)
    safe_complement = torch.clamp(complement, max=0.5)
    return torch.where(
        small,
        _log_mean_exp(log_instances, mask),
        torch.where(large, torch.log1p(-safe_complement), torch.log(safe_value)),
    )


def max_pool(x: Tensor, mask: Tensor, r: float) -> BagPrediction:
    """Eq. 3: p = max_j p_j = sigmoid(max_j x_j), since the sigmoid is increasing."""
    best, selected = torch.where(mask, x, -math.inf).max(dim=1)
    return BagPrediction(F.logsigmoid(best), F.logsigmoid(-best), selected)


def mean_pool(x: Tensor, mask: Tensor, r: float) -> BagPrediction:
    """Eq. 4 with r = 1: p = mean_j p_j and, exactly, 1 - p = mean_j (1 - p_j)."""
    return BagPrediction(
        _log_mean_exp(F.logsigmoid(x), mask), _log_mean_exp(F.logsigmoid(-x), mask)
    )


def gem_pool(x: Tensor, mask: Tensor, r: float) -> BagPrediction:
    """Eq. 4, the generalised mean: p = (mean_j p_j^r)^(1/r).

    log p is exact in log space. log(1 - p) = log(1 - exp(log p)) is accurate as long as
    log p is, which the log1p form of :func:`_log_mean_exp` ensures; only when every
    ``1 - p_j`` is below eps (so that log p may round to 0) is it replaced by the first-order
    expansion 1 - p = mean_j (1 - p_j) + O(r (1 - p_j)^2), exact to the dtype there.
    """
    log_p = _log_mean_exp(r * F.logsigmoid(x), mask) / r
    log_q = F.logsigmoid(-x)
    small = _all_below_eps(log_q, mask)
    safe_log_p = torch.where(small, torch.full_like(log_p, -1.0), log_p)
    log_not_p = torch.where(small, _log_mean_exp(log_q, mask), _log1mexp(safe_log_p))
    return BagPrediction(log_p, log_not_p)


def lse_pool(x: Tensor, mask: Tensor, r: float) -> BagPrediction:
    """Eq. 5, log-sum-exp pooling: p = (1/r) log(mean_j exp(r p_j)), which lies in [0, 1].

    With q_j = 1 - p_j the complement is, exactly, 1 - p = -(1/r) log(mean_j exp(-r q_j)), so
    both p and 1 - p are computed in linear space, each accurate relative to its own size.
    """
    p = _log_mean_exp(r * torch.sigmoid(x), mask) / r
    not_p = -_log_mean_exp(-r * torch.sigmoid(-x), mask) / r
    return BagPrediction(
        _log_probability(p, not_p, F.logsigmoid(x), mask),
        _log_probability(not_p, p, F.logsigmoid(-x), mask),
    )


AGGREGATORS: dict[str, Aggregator] = {
    "max": max_pool,
    "mean": mean_pool,
    "gem": gem_pool,
    "lse": lse_pool,
}
AGGREGATIONS: tuple[str, ...] = tuple(AGGREGATORS)


def aggregate(
    instance_logits: Tensor, mask: Tensor, method: str = "max", r: float = 1.0
) -> BagPrediction:
    """Pool (B, M, C) instance logits over the real instances of each bag into bag scores.

    ``mask`` (B, M) is True for real instances; every bag must have at least one. ``r`` is the
    exponent of ``gem`` and the sharpness of ``lse`` (both tend to max-pooling as r grows); it
    must be positive and is ignored by ``max`` and ``mean``.
    """
    if method not in AGGREGATORS:
        raise ValueError(f"unknown aggregation {method!r}; choose one of {', '.join(AGGREGATORS)}")
    if not r > 0:
        raise ValueError(f"aggregation needs r > 0, not {r}")
    if instance_logits.dim() != 3:
        raise ValueError(f"instance_logits must be (B, M, C), not {tuple(instance_logits.shape)}")
    if mask.dtype != torch.bool or tuple(mask.shape) != tuple(instance_logits.shape[:2]):
        raise ValueError(
            f"mask must be a bool (B, M) = {tuple(instance_logits.shape[:2])} tensor, "
            f"not {mask.dtype} {tuple(mask.shape)}"
        )
    # Checked on the CPU only: on a GPU, reading the answer would wait for the forward pass
    # every training step; the batches training builds (collate_bags) never hold an empty bag.
    if mask.device.type == "cpu" and not bool(mask.any(dim=1).all()):
        raise ValueError("every bag needs at least one real instance")
    mask3 = mask.unsqueeze(-1)
    x = torch.where(mask3, instance_logits, 0.0)
    return AGGREGATORS[method](x, mask3, float(r))
