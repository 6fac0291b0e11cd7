import math

import numpy as np
import pytest

from wsad_core.mil.bags import Bag
from wsad_core.mil.priors import EPSILON, instance_prior, label_rates, mean_draw_size, prior_logits
from wsad_core.tubes import Tubelet


def _bag(labels, tubelets=3):
    tubelet = Tubelet(0, np.arange(8), np.tile([0.1, 0.1, 0.5, 0.5], (8, 1)), 0.9)
    return Bag(0, "v", tuple(labels), (tubelet,) * tubelets)


def test_label_rates_count_each_bag_once_and_ignore_labels_outside_the_space():
    bags = [_bag(["walk"]), _bag(["walk", "walk"]), _bag(["jump", "unseen"]), _bag([])]
    assert label_rates(bags, ["walk", "jump", "wave"]).tolist() == [0.5, 0.25, 0.0]
    with pytest.raises(ValueError, match="at least one bag"):
        label_rates([], ["walk"])


def test_mean_draw_size_caps_each_bag_at_m_and_skips_empty_bags():
    bags = [_bag(["walk"], 6), _bag(["walk"], 2), _bag(["walk"], 0)]
    assert mean_draw_size(bags, 4) == 3.0
    assert mean_draw_size([_bag(["walk"], 0)], 4) == 1.0


def test_max_pooled_tubelet_priors_give_back_the_bag_rates():
    rates = np.array([0.125, 0.5, 0.9])
    for draw in (1.0, 3.5, 4.0):
        q = instance_prior(rates, "max", draw)
        assert np.allclose(1 - (1 - q) ** draw, rates)
    assert np.allclose(instance_prior(rates, "max", 4.0), [1 - 0.875**0.25, 1 - 0.5**0.25, 1 - 0.1**0.25])


@pytest.mark.parametrize("aggregation", ["mean", "lse", "gem", None])
def test_other_objectives_start_every_tubelet_at_the_rate(aggregation):
    rates = np.array([0.125, 0.5])
    assert np.allclose(instance_prior(rates, aggregation, 4.0), rates)


def test_prior_logits_are_the_logits_of_the_priors_and_finite_for_never_or_always_seen_labels():
    logits = prior_logits(np.array([0.0, 0.125, 1.0]), "mean")
    assert math.isclose(logits[1], math.log(0.125 / 0.875))
    assert np.all(np.isfinite(logits))
    assert math.isclose(logits[0], math.log(EPSILON / (1 - EPSILON)), rel_tol=1e-6)
    assert math.isclose(logits[2], -logits[0], rel_tol=1e-6)
