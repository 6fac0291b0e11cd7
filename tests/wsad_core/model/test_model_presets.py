"""The preset registry and what the presets promise about shapes and strides."""

from __future__ import annotations

import dataclasses

import pytest

from wsad_core.errors import WsadError
from wsad_core.model import MODEL_PRESETS, ModelPreset, build_model, get_preset, register_preset
from wsad_core.model.presets import SLOWFAST_R50_KINETICS_URL


def test_builtin_presets_are_registered() -> None:
    assert {"slowfast-r50-ava", "cpu-small", "cpu-tiny"} <= set(MODEL_PRESETS)
    assert get_preset("cpu-tiny") is MODEL_PRESETS["cpu-tiny"]


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(WsadError) as caught:
        get_preset("slowfast-r9000")
    message = str(caught.value)
    assert "slowfast-r9000" in message
    for name in ("slowfast-r50-ava", "cpu-small", "cpu-tiny"):
        assert name in message


def test_paper_preset_matches_section_3_4() -> None:
    paper = get_preset("slowfast-r50-ava")
    assert (paper.model_depth, paper.fast_frames, paper.slow_frames) == (50, 32, 8)
    assert (paper.alpha, paper.beta_inv, paper.crop_size) == (4, 8, 224)
    assert paper.roi_output_size == 7 and paper.dropout == 0.5
    assert paper.feature_stride == 16 and paper.spatial_scale == 1 / 16
    assert paper.mean == (0.45, 0.45, 0.45) and paper.std == (0.225, 0.225, 0.225)
    assert paper.pretrained_url == SLOWFAST_R50_KINETICS_URL


@pytest.mark.parametrize("name", ["cpu-small", "cpu-tiny"])
def test_cpu_presets_use_feature_stride_8(name: str) -> None:
    preset = get_preset(name)
    assert preset.res4_spatial_stride == 1
    assert preset.feature_stride == 8
    assert preset.spatial_scale == 1 / 8
    assert (preset.fast_frames, preset.slow_frames) == (8, 2)
    assert preset.pretrained_url is None


def test_tiny_is_narrower_than_small() -> None:
    assert get_preset("cpu-tiny").stem_dim_out < get_preset("cpu-small").stem_dim_out <= 32


def test_presets_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_preset("cpu-tiny").crop_size = 1  # type: ignore[misc]


def test_register_preset_makes_a_name_usable() -> None:
    custom = dataclasses.replace(get_preset("cpu-tiny"), name="test-model-custom", crop_size=64)
    try:
        assert register_preset(custom) is custom
        assert get_preset("test-model-custom").crop_size == 64
        assert build_model("test-model-custom", 3).preset is custom
    finally:
        MODEL_PRESETS.pop("test-model-custom", None)


def test_inconsistent_preset_is_refused() -> None:
    with pytest.raises(WsadError, match="stem_dim_out"):
        dataclasses.replace(get_preset("cpu-tiny"), stem_dim_out=10)
    with pytest.raises(WsadError, match="model_depth"):
        ModelPreset("bad", 34, 2, 4, 8, 112, 8, 1)


def test_r50_builds_with_the_expected_size() -> None:
    """SlowFast-R50 is ~33.6M backbone parameters; two 2304x80 heads add ~0.37M. No forward."""
    model = build_model("slowfast-r50-ava", 80)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"slowfast-r50-ava, 80 classes: {parameters / 1e6:.2f}M parameters")
    assert 32e6 < parameters < 36e6
    assert model.backbone.out_channels == 2048 + 256
    assert model.classifier.out_features == 80 and model.uncertainty_head is not None
