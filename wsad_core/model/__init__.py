"""The action detector: SlowFast backbone, RoIAlign over person boxes, logit and uncertainty heads."""

from wsad_core.model.detector import (
    ActionDetector,
    PretrainedReport,
    SlowFastBackbone,
    build_model,
    load_pretrained_backbone,
    normalize_clip,
    pack_pathways,
)
from wsad_core.model.presets import (
    MODEL_PRESETS,
    ModelPreset,
    get_preset,
    preset_from_dict,
    preset_to_dict,
    register_preset,
)

__all__ = [
    "MODEL_PRESETS",
    "ActionDetector",
    "ModelPreset",
    "PretrainedReport",
    "SlowFastBackbone",
    "build_model",
    "get_preset",
    "load_pretrained_backbone",
    "normalize_clip",
    "pack_pathways",
    "preset_from_dict",
    "preset_to_dict",
    "register_preset",
]
