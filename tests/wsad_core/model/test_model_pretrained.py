"""Loading backbone weights from checkpoints saved here from randomly initialised models."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from pytorchvideo.models.slowfast import create_slowfast

from wsad_core.errors import WsadError
from wsad_core.model import build_model, get_preset, load_pretrained_backbone


def pytorchvideo_checkpoint(path: Path) -> dict[str, torch.Tensor]:
    """A full pytorchvideo SlowFast (with its 400-class head) shaped like cpu-tiny's backbone."""
    preset = get_preset("cpu-tiny")
    torch.manual_seed(123)
    net = create_slowfast(
        model_depth=preset.model_depth,
        model_num_class=400,
        slowfast_channel_reduction_ratio=(preset.beta_inv,),
        slowfast_fusion_conv_kernel_size=(preset.fusion_kernel_size, 1, 1),
        stem_dim_outs=(preset.stem_dim_out, preset.stem_dim_out // preset.beta_inv),
        head_pool=torch.nn.AdaptiveAvgPool3d,
    )
    state = net.state_dict()
    torch.save({"model_state": state, "epoch": 196}, path)
    return state


def test_loads_backbone_from_a_pytorchvideo_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "SLOWFAST_TINY.pyth"
    state = pytorchvideo_checkpoint(path)
    model = build_model("cpu-tiny", 4, pretrained=str(path))
    report = model.pretrained_report
    assert report is not None and report.source == str(path)
    loaded = model.backbone.blocks[0].multipathway_blocks[0].conv.weight
    assert torch.equal(loaded, state["blocks.0.multipathway_blocks.0.conv.weight"])
    assert torch.equal(
        model.backbone.state_dict()["blocks.4.multipathway_blocks.1.res_blocks.0.branch2.conv_c.weight"],
        state["blocks.4.multipathway_blocks.1.res_blocks.0.branch2.conv_c.weight"],
    )
    skipped = dict(report.skipped)
    assert "blocks.6.proj.weight" in skipped and "blocks.6.proj.bias" in skipped
    assert len(report.loaded) == len(model.backbone.state_dict())
    assert report.missing == []
    assert f"loaded {len(report.loaded)}" in report.summary()


def test_heads_stay_new_when_loading_our_own_checkpoint(tmp_path: Path) -> None:
    torch.manual_seed(1)
    source = build_model("cpu-tiny", 4)
    path = tmp_path / "detector.pt"
    torch.save(source.state_dict(), path)
    torch.manual_seed(2)
    target = build_model("cpu-tiny", 9)
    head_before = target.classifier.weight.clone()
    report = load_pretrained_backbone(target, path)
    assert torch.equal(
        target.backbone.blocks[2].multipathway_blocks[0].res_blocks[0].branch2.conv_b.weight,
        source.backbone.blocks[2].multipathway_blocks[0].res_blocks[0].branch2.conv_b.weight,
    )
    assert torch.equal(target.classifier.weight, head_before)
    skipped = {name for name, _ in report.skipped}
    assert {"classifier.weight", "uncertainty_head.bias"} <= skipped


def test_shape_mismatches_are_skipped_not_fatal(tmp_path: Path) -> None:
    source = build_model("cpu-small", 2)
    path = tmp_path / "small.pt"
    torch.save({"model_state": source.state_dict()}, path)
    target = build_model("cpu-tiny", 2)
    before = target.backbone.blocks[0].multipathway_blocks[0].conv.weight.clone()
    report = load_pretrained_backbone(target, path)
    assert any("shape" in reason for _, reason in report.skipped)
    assert report.missing  # the wider convolutions did not fit
    assert torch.equal(target.backbone.blocks[0].multipathway_blocks[0].conv.weight, before)


def test_unusable_sources_raise_wsad_errors(tmp_path: Path) -> None:
    model = build_model("cpu-tiny", 2)
    with pytest.raises(WsadError, match="not found"):
        load_pretrained_backbone(model, tmp_path / "missing.pyth")
    garbage = tmp_path / "garbage.pyth"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(WsadError, match="not a readable"):
        load_pretrained_backbone(model, garbage)
    unrelated = tmp_path / "unrelated.pt"
    torch.save({"weight": torch.zeros(3)}, unrelated)
    with pytest.raises(WsadError, match="no tensor matches"):
        load_pretrained_backbone(model, unrelated)


def test_unreachable_url_says_where_to_put_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    model = build_model("cpu-tiny", 2)
    with pytest.raises(WsadError) as caught:
        load_pretrained_backbone(model, "http://127.0.0.1:9/SLOWFAST_8x8_R50.pyth")
    message = str(caught.value)
    assert str(tmp_path / "hub" / "checkpoints" / "SLOWFAST_8x8_R50.pyth") in message
