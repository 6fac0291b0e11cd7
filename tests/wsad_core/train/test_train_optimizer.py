import pytest
import torch
from torch import nn

from wsad_core.errors import WsadError
from wsad_core.train import make_config
from wsad_core.train.optimizer import make_optimizer, set_learning_rate


def _model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LazyLinear(2))


def test_sgd_is_the_default_with_momentum_and_decay_everywhere():
    model = _model()
    model(torch.zeros(1, 3, 5, 5))
    optimizer = make_optimizer(model, make_config().optim)
    assert isinstance(optimizer, torch.optim.SGD)
    (group,) = optimizer.param_groups
    assert group["momentum"] == 0.9 and group["weight_decay"] == 1e-4


def test_adamw_leaves_batchnorm_and_biases_out_of_weight_decay():
    model = _model()
    model(torch.zeros(1, 3, 5, 5))
    config = make_config(["optim.method=adamw", "optim.lr=0.001", "optim.weight_decay=0.05"])
    optimizer = make_optimizer(model, config.optim)
    assert isinstance(optimizer, torch.optim.AdamW)
    decayed, plain = optimizer.param_groups
    assert decayed["weight_decay"] == 0.05 and plain["weight_decay"] == 0.0
    assert {p.ndim for p in decayed["params"]} == {2, 4}
    assert all(p.ndim == 1 for p in plain["params"])
    assert len(decayed["params"]) + len(plain["params"]) == len(list(model.parameters()))


def test_unknown_optimiser_is_a_clear_config_error():
    with pytest.raises(WsadError, match="optim.method='lbfgs'"):
        make_config(["optim.method=lbfgs"])


def _detector_like() -> nn.Module:
    model = nn.Module()
    model.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    model.classifier = nn.Linear(4, 2)
    model.uncertainty_head = nn.Linear(4, 2)
    return model


@pytest.mark.parametrize("method", ["sgd", "adamw"])
def test_the_heads_learn_at_their_own_scale_of_the_schedules_rate(method):
    model = _detector_like()
    config = make_config([f"optim.method={method}", "optim.head_lr_scale=0.1"])
    optimizer = make_optimizer(model, config.optim)
    set_learning_rate(optimizer, 0.2)
    heads = {id(p) for name, p in model.named_parameters() if not name.startswith("backbone")}
    rates = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    assert len(rates) == len(list(model.parameters()))
    assert all(rates[id(p)] == pytest.approx(0.02 if id(p) in heads else 0.2) for p in model.parameters())


def test_without_a_head_scale_the_groups_are_those_saved_runs_resume_into():
    optimizer = make_optimizer(_detector_like(), make_config().optim)
    (group,) = optimizer.param_groups
    set_learning_rate(optimizer, 0.3)
    assert group["lr"] == 0.3
    with pytest.raises(WsadError, match="head_lr_scale"):
        make_config(["optim.head_lr_scale=0"])
