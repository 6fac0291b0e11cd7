"""Which loss trains a batch: MIL, naive, and a MIL run's naive warm-up."""

import pytest
import torch

from wsad_core.data import BagBatch
from wsad_core.errors import WsadError
from wsad_core.train import make_config
from wsad_core.train.objective import objective_mode, training_loss


def two_bags() -> BagBatch:
    """Bag 0 holds three tubelets (label: class 0), bag 1 two (no label); two classes."""
    mask = torch.tensor([[True, True, True], [True, True, False]])
    return BagBatch(
        clips=torch.zeros(5, 3, 1, 2, 2, dtype=torch.uint8),
        boxes=torch.zeros(5, 5),
        bag_index=torch.tensor([0, 0, 0, 1, 1]),
        slot=torch.tensor([0, 1, 2, 0, 1]),
        mask=mask,
        targets=torch.tensor([[1.0, 0.0], [0.0, 0.0]]),
        clip_sizes=torch.tensor([[2, 2]] * 5),
    )


def test_a_mil_run_trains_naively_during_its_warm_up_only():
    config = make_config(["naive_warmup_epochs=2.5"])
    assert [objective_mode(config, e) for e in (0.0, 2.49, 2.5, 10.0)] == ["naive", "naive", "mil", "mil"]
    assert objective_mode(make_config(["mode=naive"]), 100.0) == "naive"
    assert objective_mode(make_config([]), 0.0) == "mil"


def test_the_warm_up_loss_is_the_naive_one_then_the_mil_one():
    batch = two_bags()
    logits = torch.tensor([[2.0, -1.0], [-3.0, 0.5], [0.0, 0.0], [1.0, -2.0], [-1.0, 1.5]], requires_grad=True)
    log_var = torch.zeros(5, 2, requires_grad=True)
    warm = make_config(["naive_warmup_epochs=1", "loss=uncertainty"])
    naive = training_loss(make_config(["mode=naive"]), batch, logits, None)
    mil = training_loss(make_config(["loss=uncertainty"]), batch, logits, log_var)
    assert not torch.isclose(naive, mil)
    early = training_loss(warm, batch, logits, log_var, epoch_float=0.5)
    assert torch.equal(early, naive)
    early.backward()
    assert log_var.grad is None  # no bag, no selected tubelet: the uncertainty head rests
    assert torch.equal(training_loss(warm, batch, logits, log_var, epoch_float=1.0), mil)
    assert torch.equal(training_loss(warm, batch, logits, log_var), mil)  # no epoch given: after it


@pytest.mark.parametrize("option", ["naive_warmup_epochs=-1", "naive_warmup_epochs=2 mode=full"])
def test_a_warm_up_outside_mil_is_refused(option):
    with pytest.raises(WsadError, match="naive_warmup_epochs"):
        make_config(option.split())
