"""Class priors for the classifier's starting bias.

A classifier whose bias starts at zero scores every tubelet 0.5 for every class. With 8
classes and one label a bag, 7 of 8 bag targets are 0, and max pooling then reports each bag's
highest score of M such tubelets: the first steps are spent pushing every score down, through
the backbone as much as through the bias, before any gradient can tell one action from
another. Starting the bias at the prior instead (as RetinaNet does for its rare foreground
class) makes the first bag predictions the label rates, so training starts where a model that
ignores its input would end, and the early gradient is the part that depends on the input.

For max pooling over ``m`` independent tubelets, a bag is positive with probability
``1 - (1 - q)^m`` when each tubelet is with probability ``q``; the starting tubelet prior is the
``q`` that gives the bag's label rate. Every other aggregation (mean, and the generalised and
log-sum-exp means between mean and max) and the per-tubelet objectives start at the rate itself.

Measured on `bench-ucf` (session 13): at lr 0.1 with 4 bags a step this alone did not calm
MIL's first epochs, whose cause is the step size of the classifier's weights, not its bias
(benchmarks/results/mil_first_epochs_2026-11-28_session13.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wsad_core.mil.bags import Bag

#: Rates are clamped into [EPSILON, 1 - EPSILON] so that a label with no (or only) positive
#: bags gets a large but finite starting logit.
EPSILON = 1e-4


def label_rates(bags: Sequence[Bag], labels: Sequence[str]) -> np.ndarray:
    """The fraction of ``bags`` that carry each of ``labels`` (one float a label)."""
    if not bags:
        raise ValueError("label rates need at least one bag")
    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros(len(labels))
    for bag in bags:
        for label in set(bag.labels):
            if label in index:
                counts[index[label]] += 1
    return counts / len(bags)


def mean_draw_size(bags: Sequence[Bag], tubelets_per_bag: int) -> float:
    """Tubelets a bag contributes to a step on average: ``min(M, bag size)`` over non-empty bags."""
    sizes = [min(tubelets_per_bag, len(bag.tubelets)) for bag in bags if bag.tubelets]
    return float(np.mean(sizes)) if sizes else 1.0


def instance_prior(rates: np.ndarray, aggregation: str | None, draw_size: float = 1.0) -> np.ndarray:
    """Per-tubelet starting probabilities whose aggregated bag score is ``rates``.

    ``aggregation`` is the MIL aggregation, or None when every tubelet has its own target
    (the naive and fully supervised objectives).
    """
    rates = np.clip(np.asarray(rates, dtype=float), EPSILON, 1 - EPSILON)
    if aggregation == "max" and draw_size > 1:
        rates = 1 - (1 - rates) ** (1 / draw_size)
    return np.clip(rates, EPSILON, 1 - EPSILON)


def prior_logits(rates: np.ndarray, aggregation: str | None, draw_size: float = 1.0) -> np.ndarray:
    """The classifier biases that start every tubelet at :func:`instance_prior`."""
    prior = instance_prior(rates, aggregation, draw_size)
    return np.log(prior) - np.log1p(-prior)
