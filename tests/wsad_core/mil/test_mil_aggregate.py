import math

import pytest
import torch

from wsad_core.mil.aggregate import AGGREGATIONS, AGGREGATORS, BagPrediction, aggregate

CASES = [("max", 1.0), ("mean", 1.0), ("gem", 0.5), ("gem", 1.0), ("gem", 3.0), ("lse", 0.5), ("lse", 1.0), ("lse", 4.0)]


def brute_force(x: torch.Tensor, method: str, r: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Eqs. 3-5 literally, on the (n, C) logits of one bag's real instances."""
    p = torch.sigmoid(x)
    if method == "max":
        bag = p.max(dim=0).values
    elif method == "mean":
        bag = p.mean(dim=0)
    elif method == "gem":
        bag = (p**r).mean(dim=0) ** (1 / r)
    else:
        bag = torch.log(torch.exp(r * p).mean(dim=0)) / r
    return torch.log(bag), torch.log(1 - bag)


def random_batch(seed: int, dtype=torch.float64, b=5, m=6, c=3, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(b, m, c, generator=g) * scale).to(dtype)
    sizes = torch.randint(1, m + 1, (b,), generator=g)
    sizes[0] = m
    mask = torch.arange(m)[None, :] < sizes[:, None]
    x = torch.where(mask[..., None], x, torch.tensor(float("nan"), dtype=dtype))
    return x, mask


@pytest.mark.parametrize("method,r", CASES)
@pytest.mark.parametrize("seed", range(3))
def test_values_match_the_paper_formulas_with_padding(method, r, seed):
    x, mask = random_batch(seed)
    pred = aggregate(x, mask, method, r)
    for b in range(x.shape[0]):
        log_p, log_not_p = brute_force(x[b, mask[b]], method, r)
        torch.testing.assert_close(pred.log_p[b], log_p, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(pred.log_not_p[b], log_not_p, rtol=1e-9, atol=1e-12)
    pred32 = aggregate(x.float(), mask, method, r)
    torch.testing.assert_close(pred32.log_p, pred.log_p.float(), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(pred32.log_not_p, pred.log_not_p.float(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("method,r", CASES)
def test_gradients_match_autograd_of_the_formulas_and_padding_gets_none(method, r):
    x, mask = random_batch(7)
    g = torch.Generator().manual_seed(1)
    w_p, w_not_p = torch.randn(2, x.shape[0], x.shape[2], generator=g, dtype=torch.float64)
    ours = x.clone().requires_grad_(True)
    pred = aggregate(ours, mask, method, r)
    (w_p * pred.log_p + w_not_p * pred.log_not_p).sum().backward()
    reference = x.clone().requires_grad_(True)
    total = 0.0
    for b in range(x.shape[0]):
        log_p, log_not_p = brute_force(reference[b, mask[b]], method, r)
        total = total + (w_p[b] * log_p + w_not_p[b] * log_not_p).sum()
    total.backward()
    expected = torch.where(mask[..., None], reference.grad, 0.0)
    torch.testing.assert_close(ours.grad, expected, rtol=1e-8, atol=1e-12)
    assert torch.all(ours.grad[~mask] == 0)


@pytest.mark.parametrize("method,r", CASES)
def test_gradcheck(method, r):
    x, mask = random_batch(11, b=3, m=3, c=2)
    x = torch.where(mask[..., None], x, 0.0).requires_grad_(True)

    def f(logits):
        pred = aggregate(logits, mask, method, r)
        return pred.log_p, pred.log_not_p

    assert torch.autograd.gradcheck(f, (x,), fast_mode=True)


@pytest.mark.parametrize("method,r", CASES)
def test_padding_never_changes_the_result(method, r):
    x, mask = random_batch(3, b=1, m=6)
    n = int(mask.sum())
    alone = aggregate(x[:, :n], mask[:, :n], method, r)
    for filler in (float("nan"), float("inf"), -1e6, 1e6):
        padded = x.clone()
        padded[~mask] = filler
        pred = aggregate(padded, mask, method, r)
        torch.testing.assert_close(pred.log_p, alone.log_p, rtol=0, atol=1e-14)
        torch.testing.assert_close(pred.log_not_p, alone.log_not_p, rtol=0, atol=1e-14)


@pytest.mark.parametrize("method,r", CASES)
def test_permuting_the_instances_changes_nothing(method, r):
    x, mask = random_batch(5)
    pred = aggregate(x, mask, method, r)
    perm = torch.randperm(x.shape[1], generator=torch.Generator().manual_seed(0))
    shuffled = aggregate(x[:, perm], mask[:, perm], method, r)
    torch.testing.assert_close(shuffled.log_p, pred.log_p, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(shuffled.log_not_p, pred.log_not_p, rtol=1e-12, atol=1e-12)
    if method == "max":
        assert torch.equal(perm[shuffled.selected], pred.selected)


def test_max_pooling_selects_the_top_real_instance():
    x, mask = random_batch(9)
    pred = aggregate(x, mask, "max")
    assert pred.selected.dtype == torch.long and pred.selected.shape == (5, 3)
    for b in range(x.shape[0]):
        assert torch.equal(pred.selected[b], x[b, mask[b]].argmax(dim=0))
    assert all(aggregate(x, mask, m).selected is None for m in AGGREGATIONS if m != "max")


def test_gem_with_r_one_is_the_mean():
    x, mask = random_batch(4, dtype=torch.float32, scale=40.0)
    gem, mean = aggregate(x, mask, "gem", 1.0), aggregate(x, mask, "mean")
    torch.testing.assert_close(gem.log_p, mean.log_p, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(gem.log_not_p, mean.log_not_p, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("method", ["gem", "lse"])
def test_large_r_approaches_max_pooling(method):
    x, mask = random_batch(6, scale=1.0)
    best = aggregate(x, mask, "max")
    gaps = []
    for r in (1.0, 10.0, 100.0, 1000.0):
        pred = aggregate(x, mask, method, r)
        assert torch.all(pred.log_p <= best.log_p + 1e-12)
        gap = (best.log_p.exp() - pred.log_p.exp()).max().item()
        # Both lie within log(n)/r of the maximum (gem in log space, lse in probability).
        assert gap <= math.log(mask.shape[1]) / r + 1e-12
        gaps.append(gap)
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < 2e-3


@pytest.mark.parametrize("method,r", CASES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_bag_of_equal_instances_has_their_probability_even_at_extreme_logits(method, r, dtype):
    values = torch.tensor([-1000.0, -100.0, -30.0, -5.0, 0.0, 5.0, 30.0, 100.0, 1000.0], dtype=dtype)
    x = values.repeat(3, 1)[None].repeat(2, 1, 1).requires_grad_(True)  # (2 bags, 3 instances, 9)
    mask = torch.tensor([[True, True, True], [True, True, False]])
    pred = aggregate(x, mask, method, r)
    expected_p = torch.nn.functional.logsigmoid(values).expand(2, -1)
    expected_not_p = torch.nn.functional.logsigmoid(-values).expand(2, -1)
    torch.testing.assert_close(pred.log_p, expected_p, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(pred.log_not_p, expected_not_p, rtol=1e-5, atol=1e-6)
    (pred.log_p.sum() - pred.log_not_p.sum()).backward()
    assert torch.isfinite(x.grad).all()


@pytest.mark.parametrize("method,r", CASES + [("gem", 50.0), ("lse", 1000.0), ("gem", 0.05)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_mixed_logits_give_finite_values_and_gradients(method, r, dtype):
    g = torch.Generator().manual_seed(2)
    choices = torch.tensor([-1000.0, -100.0, -40.0, -15.0, 0.0, 15.0, 40.0, 100.0, 1000.0])
    x = choices[torch.randint(len(choices), (64, 4, 5), generator=g)].to(dtype).requires_grad_(True)
    mask = torch.rand(64, 4, generator=g) < 0.6
    mask[:, 0] = True
    pred = aggregate(x, mask, method, r)
    assert torch.isfinite(pred.log_p).all() and torch.isfinite(pred.log_not_p).all()
    assert (pred.log_p <= 0).all() and (pred.log_not_p <= 0).all()
    targets = (torch.rand(64, 5, generator=g) < 0.5).to(dtype)
    (-(targets * pred.log_p + (1 - targets) * pred.log_not_p)).sum().backward()
    assert torch.isfinite(x.grad).all()


def test_arguments_are_checked():
    x, mask = random_batch(0)
    with pytest.raises(ValueError, match="unknown aggregation"):
        aggregate(x, mask, "median")
    with pytest.raises(ValueError, match="r > 0"):
        aggregate(x, mask, "gem", 0.0)
    with pytest.raises(ValueError, match="mask"):
        aggregate(x, mask.long())
    with pytest.raises(ValueError, match=r"\(B, M, C\)"):
        aggregate(x[0], mask)
    empty = mask.clone()
    empty[1] = False
    with pytest.raises(ValueError, match="at least one"):
        aggregate(x, empty)


def test_the_registry_makes_a_new_aggregation_one_function_and_one_line(monkeypatch):
    assert AGGREGATIONS == ("max", "mean", "gem", "lse")

    def min_pool(x, mask, r):
        worst = torch.where(mask, x, math.inf).amin(dim=1)
        return BagPrediction(torch.nn.functional.logsigmoid(worst), torch.nn.functional.logsigmoid(-worst))

    monkeypatch.setitem(AGGREGATORS, "min", min_pool)
    x, mask = random_batch(1)
    pred = aggregate(x, mask, "min")
    assert torch.isfinite(pred.log_p).all()


@pytest.mark.parametrize("method,r", CASES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_saturated_logits_stay_accurate_against_50_digit_arithmetic(method, r, dtype):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    g = torch.Generator().manual_seed(8)
    x = (torch.rand(12, 3, 1, generator=g, dtype=torch.float64) * 2 - 1) * 60
    x[:4] = x[:4].abs() + 10  # bags of near-certain instances: 1 - p is tiny
    x[4:8] = -x[4:8].abs() - 10  # bags of near-impossible instances: p is tiny
    mask = torch.ones(12, 3, dtype=torch.bool)
    pred = aggregate(x.to(dtype), mask, method, r)
    tolerance = 1e-4 if dtype == torch.float32 else 1e-12
    for b in range(12):
        p = [1 / (1 + mpmath.exp(-mpmath.mpf(float(v)))) for v in x[b, :, 0]]
        if method == "max":
            bag = max(p)
        elif method == "mean":
            bag = sum(p) / 3
        elif method == "gem":
            bag = (sum(v**r for v in p) / 3) ** (1 / mpmath.mpf(r))
        else:
            bag = mpmath.log(sum(mpmath.exp(r * v) for v in p) / 3) / r
        for ours, exact in ((pred.log_p[b, 0], mpmath.log(bag)), (pred.log_not_p[b, 0], mpmath.log(1 - bag))):
            assert float(ours) == pytest.approx(float(exact), rel=tolerance, abs=0)


def test_a_bag_without_a_real_instance_is_refused():
    logits = torch.zeros(2, 3, 4)
    mask = torch.tensor([[True, False, False], [False, False, False]])
    with pytest.raises(ValueError, match="at least one real instance"):
        aggregate(logits, mask, "max")
