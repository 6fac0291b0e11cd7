"""ActionDetector on the CPU presets: shapes, box sensitivity, heads, gradients, autocast."""

from __future__ import annotations

import pytest
import torch

from torchvision.ops import roi_align

from wsad_core.errors import WsadError
from wsad_core.model import ActionDetector, build_model, get_preset, normalize_clip, pack_pathways
from wsad_core.model.detector import INITIAL_LOG_VARIANCE

#: Tests run at 64 px (the model takes any size) to stay fast; shapes do not depend on it.
SIZE = 64


def make_inputs(preset_name: str, batch: int = 2, size: int = SIZE, seed: int = 0):
    preset = get_preset(preset_name)
    generator = torch.Generator().manual_seed(seed)
    clip = torch.randn(batch, 3, preset.fast_frames, size, size, generator=generator)
    return pack_pathways(clip, preset)


def boxes_for(batch: int, per_clip: int, size: int = SIZE) -> torch.Tensor:
    rows = []
    for index in range(batch):
        for k in range(per_clip):
            x1 = 2.0 + 6 * k
            rows.append([index, x1, 4.0, x1 + size / 3, size - 4.0])
    return torch.tensor(rows)


@pytest.fixture(scope="module")
def tiny() -> ActionDetector:
    torch.manual_seed(0)
    return build_model("cpu-tiny", 5)


@pytest.fixture(scope="module")
def tiny_max() -> ActionDetector:
    """cpu-tiny with SlowFast's spatial max over the RoIAlign grid (the paper's head)."""
    import dataclasses

    torch.manual_seed(0)
    return build_model(dataclasses.replace(get_preset("cpu-tiny"), name="tiny-max", roi_pool_grid=1), 5)


@pytest.mark.parametrize("name", ["cpu-tiny", "cpu-small"])
def test_output_shapes(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, 7)
    slow, fast = make_inputs(name, batch=2)
    boxes = boxes_for(2, 3)
    logits, v = model(slow, fast, boxes)
    assert logits.shape == (6, 7)
    assert v is not None and v.shape == (6, 7)
    assert torch.isfinite(logits).all() and torch.isfinite(v).all()


def test_pack_pathways_picks_slow_frames_across_the_clip() -> None:
    preset = get_preset("slowfast-r50-ava")
    clip = torch.arange(32, dtype=torch.float32).view(1, 1, 32, 1, 1).expand(2, 3, 32, 4, 4)
    slow, fast = pack_pathways(clip, preset)
    assert fast is clip
    assert slow.shape == (2, 3, 8, 4, 4)
    assert slow[0, 0, :, 0, 0].tolist() == [0, 4, 8, 13, 17, 22, 26, 31]
    slow, _ = pack_pathways(clip[:, :, :8], "cpu-tiny")
    assert slow[0, 0, :, 0, 0].tolist() == [0, 7]


def test_pack_pathways_rejects_short_or_flat_clips() -> None:
    with pytest.raises(ValueError):
        pack_pathways(torch.zeros(1, 3, 2, 8, 8), "cpu-tiny")
    with pytest.raises(ValueError):
        pack_pathways(torch.zeros(3, 8, 8, 8), "cpu-tiny")


def test_boxes_in_different_places_score_differently(tiny: ActionDetector) -> None:
    tiny.eval()
    slow, fast = make_inputs("cpu-tiny", batch=2)
    boxes = torch.tensor(
        [[0, 2.0, 2.0, 30.0, 30.0], [0, 34.0, 34.0, 62.0, 62.0], [1, 2.0, 2.0, 30.0, 30.0]]
    )
    with torch.no_grad():
        logits, v = tiny(slow, fast, boxes)
        again, _ = tiny(slow, fast, boxes[[0]])
    assert not torch.allclose(logits[0], logits[1])
    assert not torch.allclose(logits[0], logits[2])  # same box, other clip
    assert torch.allclose(again[0], logits[0], atol=1e-6)  # a box's score ignores other boxes


def test_uncertainty_is_non_negative_and_optional() -> None:
    torch.manual_seed(0)
    slow, fast = make_inputs("cpu-tiny", batch=1)
    boxes = boxes_for(1, 4)
    model = build_model("cpu-tiny", 4)
    with torch.no_grad():
        model.uncertainty_head.bias.fill_(-30.0)  # softplus must still keep v >= 0
        _, v = model.eval()(slow, fast, boxes)
    assert v is not None and (v >= 0).all()
    plain = build_model("cpu-tiny", 4, uncertainty=False)
    assert plain.uncertainty_head is None and not plain.has_uncertainty
    logits, none = plain(slow, fast, boxes)
    assert none is None and logits.shape == (4, 4)


def test_uncertainty_starts_near_sigma_squared_one() -> None:
    """The head starts at v = INITIAL_LOG_VARIANCE: the uncertainty loss begins as plain MIL."""
    torch.manual_seed(0)
    slow, fast = make_inputs("cpu-tiny", batch=2)
    model = build_model("cpu-tiny", 5).eval()
    with torch.no_grad():
        _, v = model(slow, fast, boxes_for(2, 3))
    assert v.shape == (6, 5)
    assert torch.allclose(v, torch.full_like(v, INITIAL_LOG_VARIANCE), rtol=0.5)
    assert INITIAL_LOG_VARIANCE < 0.05


def test_training_output_is_logits_not_probabilities() -> None:
    torch.manual_seed(0)
    model = build_model("cpu-tiny", 6).train()
    with torch.no_grad():
        model.classifier.bias.copy_(torch.tensor([-3.0, -1.0, 0.0, 1.0, 2.0, 4.0]))
    slow, fast = make_inputs("cpu-tiny", batch=2)
    logits, _ = model(slow, fast, boxes_for(2, 2))
    assert (logits < 0).any() and (logits > 1).any()


def test_backward_reaches_backbone_and_both_heads() -> None:
    torch.manual_seed(0)
    model = build_model("cpu-tiny", 3).train()
    slow, fast = make_inputs("cpu-tiny", batch=2)
    logits, v = model(slow, fast, boxes_for(2, 2))
    (logits.square().mean() + v.mean()).backward()
    stem_slow, stem_fast = model.backbone.blocks[0].multipathway_blocks
    res5_slow = model.backbone.blocks[-1].multipathway_blocks[0].res_blocks[0]
    for parameter in (
        stem_slow.conv.weight,
        stem_fast.conv.weight,
        # pytorchvideo zero-initialises each residual branch's last BatchNorm scale, so at
        # initialisation the gradient reaches that scale but not yet the convolutions before it.
        res5_slow.branch2.norm_c.weight,
        res5_slow.branch1_conv.weight,
        model.classifier.weight,
        model.uncertainty_head.weight,
    ):
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0


def test_roi_align_uses_the_preset_scale(tiny_max: ActionDetector) -> None:
    """At stride 8 a 64 px input gives an 8x8 map, and a box covering it pools all of it."""
    tiny = tiny_max.eval()
    slow, fast = make_inputs("cpu-tiny", batch=1)
    with torch.no_grad():
        maps = tiny.backbone(slow, fast)
        assert maps[0].shape[-2:] == (SIZE // 8, SIZE // 8)
        full = torch.cat([maps[0].mean(2), maps[1].mean(2)], 1).amax(dim=(2, 3))
        pooled = tiny.roi_features(slow, fast, torch.tensor([[0, 0.0, 0.0, SIZE, SIZE]]))
    # Bilinear samples never exceed the map's maximum, and reach close to it over the full map.
    assert (pooled <= full + 1e-5).all()
    assert torch.allclose(pooled, full, atol=0.25 * full.abs().max().item())


def test_boxes_are_mapped_to_the_feature_map_at_one_eighth(tiny_max: ActionDetector) -> None:
    tiny = tiny_max.eval()
    slow, fast = make_inputs("cpu-tiny", batch=1)
    box = torch.tensor([[0, 4.0, 8.0, 28.0, 40.0]])
    with torch.no_grad():
        maps = tiny.backbone(slow, fast)
        feature_map = torch.cat([maps[0].mean(2), maps[1].mean(2)], 1)

        def pooled_at(scale: float) -> torch.Tensor:
            return roi_align(feature_map, box, 7, scale, 0, True).amax(dim=(2, 3))

        ours = tiny.roi_features(slow, fast, box)
    assert tiny.preset.spatial_scale == 1 / 8
    assert torch.allclose(ours, pooled_at(1 / 8), atol=1e-6)
    assert not torch.allclose(ours, pooled_at(1 / 16), atol=1e-3)


def test_no_boxes_gives_empty_outputs(tiny: ActionDetector) -> None:
    slow, fast = make_inputs("cpu-tiny", batch=1)
    logits, v = tiny.eval()(slow, fast, torch.zeros(0, 5))
    assert logits.shape == (0, 5) and v.shape == (0, 5)


def test_bad_boxes_are_rejected(tiny: ActionDetector) -> None:
    slow, fast = make_inputs("cpu-tiny", batch=1)
    with pytest.raises(ValueError, match="batch indices"):
        tiny(slow, fast, torch.tensor([[1, 0.0, 0.0, 8.0, 8.0]]))
    with pytest.raises(ValueError, match=r"\(R, 5\)"):
        tiny(slow, fast, torch.tensor([[0.0, 0.0, 8.0, 8.0]]))


def test_works_under_autocast(tiny: ActionDetector) -> None:
    slow, fast = make_inputs("cpu-tiny", batch=1)
    with torch.autocast("cpu", dtype=torch.bfloat16), torch.no_grad():
        logits, v = tiny.eval()(slow, fast, boxes_for(1, 2))
    assert logits.shape == (2, 5) and torch.isfinite(logits.float()).all()
    assert (v.float() >= 0).all()


def test_normalize_clip_uses_preset_statistics() -> None:
    preset = get_preset("cpu-tiny")
    clip = torch.full((1, 3, 8, 2, 2), 255, dtype=torch.uint8)
    expected = (1.0 - 0.45) / 0.225
    assert torch.allclose(normalize_clip(clip, preset), torch.full(clip.shape, expected))


def test_num_classes_must_be_positive() -> None:
    with pytest.raises(WsadError):
        build_model("cpu-tiny", 0)


def test_grid_pooling_keeps_where_in_the_box_a_feature_is() -> None:
    import dataclasses

    from wsad_core.model.detector import ActionDetector as Detector

    preset = dataclasses.replace(get_preset("cpu-tiny"), name="tiny-grid-test", roi_pool_grid=2)
    assert get_preset("cpu-tiny").roi_pool_grid == 3 and get_preset("slowfast-r50-ava").roi_pool_grid == 1
    torch.manual_seed(0)
    model = Detector(preset, 3).eval()
    slow, fast = make_inputs("cpu-tiny", batch=1)
    features = model.roi_features(slow, fast, boxes_for(1, 1))
    assert features.shape == (1, 4 * model.backbone.out_channels)
    # The cells are averages of the RoIAlign grid's quarters, in row-major order.
    slow_map, fast_map = model.backbone(slow, fast)
    grid = roi_align(torch.cat([slow_map.mean(2), fast_map.mean(2)], 1), boxes_for(1, 1),
                     preset.roi_output_size, preset.spatial_scale, preset.sampling_ratio, aligned=True)
    cells = torch.nn.functional.adaptive_avg_pool2d(grid, 2)
    assert torch.allclose(features, cells.flatten(1), atol=1e-6)
    logits, _ = model(slow, fast, boxes_for(1, 1))
    assert logits.shape == (1, 3)
    with pytest.raises(WsadError, match="roi_pool_grid"):
        dataclasses.replace(preset, roi_pool_grid=8)


def test_the_class_bias_can_start_at_given_logits() -> None:
    model = build_model("cpu-tiny", 3)
    model.set_class_bias([-2.0, -1.0, 0.5])
    assert model.classifier.bias.tolist() == [-2.0, -1.0, 0.5]
    with pytest.raises(ValueError, match="3 class biases"):
        model.set_class_bias([0.0, 0.0])
