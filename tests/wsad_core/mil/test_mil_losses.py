import math

import pytest
import torch
import torch.nn.functional as F

from wsad_core.mil.aggregate import AGGREGATIONS, BagPrediction, aggregate
from wsad_core.mil.losses import LOSSES, bag_bce, selected_log_var, uncertainty_bce


def batch(seed: int, b=6, m=5, c=4):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, m, c, generator=g, dtype=torch.float64) * 3
    v = F.softplus(torch.randn(b, m, c, generator=g, dtype=torch.float64))
    sizes = torch.randint(1, m + 1, (b,), generator=g)
    mask = torch.arange(m)[None, :] < sizes[:, None]
    v = torch.where(mask[..., None], v, float("nan"))  # padding must never leak into a loss
    targets = (torch.rand(b, c, generator=g) < 0.4).double()
    return x, v, mask, targets


def brute_force_losses(x, v, mask, targets, method):
    """Eq. 2 and Eq. 6 bag by bag, from the bag probability, with the log-variance choice
    documented in uncertainty_bce."""
    bce_total, unc_total = 0.0, 0.0
    b, _, c = x.shape
    for i in range(b):
        p = torch.sigmoid(x[i, mask[i]])
        if method == "max":
            bag, chosen = p.max(dim=0)
            var = v[i, mask[i]].gather(0, chosen[None])[0]
        else:
            bag = p.mean(dim=0)
            var = v[i, mask[i]].mean(dim=0)
        bce = F.binary_cross_entropy(bag, targets[i], reduction="none")
        bce_total = bce_total + bce.sum()
        unc_total = unc_total + (torch.exp(-var) * bce + var).sum()
    return bce_total / (b * c), unc_total / (b * c)


@pytest.mark.parametrize("method", ["max", "mean"])
def test_values_and_gradients_match_the_formulas(method):
    x, v, mask, targets = batch(0)
    x1, v1 = x.clone().requires_grad_(True), v.clone().requires_grad_(True)
    pred = aggregate(x1, mask, method)
    ours = (bag_bce(pred, targets), uncertainty_bce(pred, targets, v1, mask))
    x2, v2 = x.clone().requires_grad_(True), v.clone().requires_grad_(True)
    expected = brute_force_losses(x2, v2, mask, targets, method)
    for a, e in zip(ours, expected):
        torch.testing.assert_close(a, e, rtol=1e-10, atol=1e-12)
    (ours[0] + 2 * ours[1]).backward()
    (expected[0] + 2 * expected[1]).backward()
    torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-8, atol=1e-12)
    torch.testing.assert_close(v1.grad, v2.grad, rtol=1e-8, atol=1e-12)
    assert torch.all(x1.grad[~mask] == 0) and torch.all(v1.grad[~mask] == 0)


def test_under_max_pooling_only_the_selected_instance_gets_uncertainty_gradient():
    x, v, mask, targets = batch(1)
    v = v.requires_grad_(True)
    pred = aggregate(x, mask, "max")
    uncertainty_bce(pred, targets, v, mask).backward()
    chosen = torch.zeros_like(v, dtype=torch.bool)
    chosen.scatter_(1, pred.selected.unsqueeze(1), True)
    assert torch.all(v.grad[~chosen] == 0)
    assert torch.all(v.grad[chosen] != 0)
    torch.testing.assert_close(selected_log_var(pred, v, mask), v.gather(1, pred.selected[:, None]).squeeze(1))


def test_other_aggregations_use_the_mean_log_variance_of_the_real_instances():
    v = torch.tensor([[[1.0], [3.0], [100.0]], [[2.0], [50.0], [70.0]]])
    mask = torch.tensor([[True, True, False], [True, False, False]])
    pred = aggregate(torch.zeros(2, 3, 1), mask, "mean")
    torch.testing.assert_close(selected_log_var(pred, v, mask), torch.tensor([[2.0], [2.0]]))


def single(logit: float, log_var: float, label: float = 1.0) -> float:
    x = torch.tensor([[[logit]]], dtype=torch.float64)
    pred = aggregate(x, torch.ones(1, 1, dtype=torch.bool), "max")
    v = torch.tensor([[[log_var]]], dtype=torch.float64)
    return uncertainty_bce(pred, torch.tensor([[label]], dtype=torch.float64), v, torch.ones(1, 1, dtype=torch.bool)).item()


def test_the_loss_surface_of_figure_3():
    correct_certain = single(4.0, 0.0)  # point a
    wrong_uncertain = single(-4.0, 2.0)  # point b
    wrong_certain = single(-4.0, 0.0)  # point c
    assert correct_certain < wrong_uncertain < wrong_certain
    # A correct prediction only loses by claiming uncertainty.
    assert single(4.0, 0.0) < single(4.0, 1.0) < single(4.0, 3.0)
    # The plain cross-entropy is the v = 0 slice.
    assert wrong_certain == pytest.approx(-math.log(torch.sigmoid(torch.tensor(-4.0, dtype=torch.float64)).item()))


@pytest.mark.parametrize("logit", [-6.0, -2.0, 0.5, 3.0])
def test_the_derivative_in_v_and_the_optimal_uncertainty(logit):
    bce = -F.logsigmoid(torch.tensor(logit, dtype=torch.float64)).item()
    for log_var in (0.0, 0.3, 1.7, 4.0):
        v = torch.tensor([[[log_var]]], dtype=torch.float64, requires_grad=True)
        pred = aggregate(torch.tensor([[[logit]]], dtype=torch.float64), torch.ones(1, 1, dtype=torch.bool))
        uncertainty_bce(pred, torch.ones(1, 1, dtype=torch.float64), v, torch.ones(1, 1, dtype=torch.bool)).backward()
        assert v.grad.item() == pytest.approx(1 - math.exp(-log_var) * bce, rel=1e-12, abs=1e-12)
    grid = torch.linspace(0, 6, 6001, dtype=torch.float64)
    losses = torch.exp(-grid) * bce + grid
    best = grid[losses.argmin()].item()
    assert best == pytest.approx(max(math.log(bce), 0.0), abs=1e-3)


def test_losses_are_means_so_they_do_not_grow_with_the_batch():
    x, v, mask, targets = batch(2)
    pred = aggregate(x, mask, "max")
    doubled = aggregate(torch.cat([x, x]), torch.cat([mask, mask]), "max")
    torch.testing.assert_close(bag_bce(doubled, torch.cat([targets, targets])), bag_bce(pred, targets))
    torch.testing.assert_close(
        uncertainty_bce(doubled, torch.cat([targets, targets]), torch.cat([v, v]), torch.cat([mask, mask])),
        uncertainty_bce(pred, targets, v, mask),
    )


@pytest.mark.parametrize("method", AGGREGATIONS)
def test_extreme_logits_give_finite_losses_and_gradients(method):
    x = torch.tensor([[[100.0, -100.0], [-1000.0, 1000.0]], [[40.0, -40.0], [0.0, 0.0]]], requires_grad=True)
    mask = torch.tensor([[True, True], [True, False]])
    v = torch.full((2, 2, 2), 0.5, requires_grad=True)
    for targets in (torch.zeros(2, 2), torch.ones(2, 2)):
        pred = aggregate(x, mask, method, 2.0)
        loss = bag_bce(pred, targets) + uncertainty_bce(pred, targets, v, mask)
        assert torch.isfinite(loss)
        loss.backward()
        assert torch.isfinite(x.grad).all() and torch.isfinite(v.grad).all()


def test_the_registry_calls_every_loss_the_same_way():
    assert set(LOSSES) == {"bce", "uncertainty"}
    x, v, mask, targets = batch(3)
    pred = aggregate(x, mask, "max")
    assert LOSSES["bce"](pred, targets, None, mask) == bag_bce(pred, targets)
    assert LOSSES["bce"](pred, targets, v, mask) == bag_bce(pred, targets)
    assert LOSSES["uncertainty"](pred, targets, v, mask) == uncertainty_bce(pred, targets, v, mask)
    with pytest.raises(ValueError, match="instance_log_var"):
        LOSSES["uncertainty"](pred, targets, None, mask)


def test_shapes_are_checked():
    x, v, mask, targets = batch(4)
    pred = aggregate(x, mask, "max")
    with pytest.raises(ValueError, match="targets"):
        bag_bce(pred, targets[:, :2])
    with pytest.raises(ValueError, match="instance_log_var"):
        uncertainty_bce(pred, targets, v[:, :2], mask)
    with pytest.raises(ValueError, match="classes"):
        uncertainty_bce(BagPrediction(pred.log_p, pred.log_not_p), targets, v[..., :2], mask)
