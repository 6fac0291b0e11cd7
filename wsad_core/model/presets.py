"""Named model configurations: the paper's SlowFast-R50 and small ones that train on a CPU.

A preset fixes everything the detector's shape depends on (depth, width, frame counts, crop,
feature stride) plus how clips must be sampled and normalised for it, so that training,
inference and pretrained checkpoints agree on one name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from wsad_core.errors import WsadError

#: pytorchvideo's published Kinetics-400 SlowFast-R50 8x8 checkpoint (the paper's initialisation).
SLOWFAST_R50_KINETICS_URL = (
    "https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/kinetics/SLOWFAST_8x8_R50.pyth"
)

KINETICS_MEAN = (0.45, 0.45, 0.45)
KINETICS_STD = (0.225, 0.225, 0.225)

#: Spatial stride of the stem (conv stride 2, then max-pool stride 2) and of res3.
_STEM_STRIDE = 4
_RES3_STRIDE = 2


@dataclass(frozen=True)
class ModelPreset:
    """One SlowFast detector configuration.

    ``model_depth`` follows pytorchvideo's ``create_slowfast`` table: 50 and 101 are the usual
    ResNets; 18 there means one bottleneck block per stage (not the basic-block ResNet-18).
    res5 never strides spatially (it is dilated instead, as in SlowFast's AVA detector), so the
    feature stride is 4 (stem) x 2 (res3) x ``res4_spatial_stride``.
    """

    name: str
    model_depth: int
    slow_frames: int
    alpha: int
    beta_inv: int
    crop_size: int
    stem_dim_out: int
    res4_spatial_stride: int
    roi_output_size: int = 7
    sampling_ratio: int = 0
    #: How the RoIAlign grid becomes one feature: 1 = spatial max (SlowFast's AVA head); g > 1 =
    #: average over a g x g grid of cells, concatenated, which keeps where in the box a feature is.
    #: The CPU presets use 3: trained from scratch, a max-pooling head never learned "a hand above
    #: the head" on the synthetic world (raised-arm classes at chance after 20 min), while a
    #: linear probe on the same backbone's 3 x 3 cells found it (val AUC 0.80); with 3 x 3 cells
    #: they were learned within 9 min (benchmarks/results/learnability_2026-11-26_session4.md).
    roi_pool_grid: int = 1
    dropout: float = 0.5
    fusion_conv_channel_ratio: int = 2
    fusion_kernel_size: int = 7
    frame_stride: int = 2
    mean: tuple[float, float, float] = KINETICS_MEAN
    std: tuple[float, float, float] = KINETICS_STD
    pretrained_url: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.model_depth not in (18, 50, 101):
            raise WsadError(f"preset {self.name!r}: model_depth must be 18, 50 or 101")
        if self.res4_spatial_stride not in (1, 2):
            raise WsadError(f"preset {self.name!r}: res4_spatial_stride must be 1 or 2")
        if self.stem_dim_out % self.beta_inv:
            raise WsadError(f"preset {self.name!r}: stem_dim_out must be a multiple of beta_inv")
        if not 1 <= self.roi_pool_grid <= self.roi_output_size:
            raise WsadError(f"preset {self.name!r}: roi_pool_grid must be between 1 and roi_output_size")
        if min(self.slow_frames, self.alpha, self.crop_size, self.frame_stride) < 1:
            raise WsadError(f"preset {self.name!r}: frame counts, alpha and crop must be positive")

    @property
    def fast_frames(self) -> int:
        """Frames of the fast pathway, which is also the length of the sampled clip."""
        return self.slow_frames * self.alpha

    @property
    def feature_stride(self) -> int:
        """Input pixels per res5 feature cell; RoIAlign's spatial scale is its inverse."""
        return _STEM_STRIDE * _RES3_STRIDE * self.res4_spatial_stride

    @property
    def spatial_scale(self) -> float:
        return 1.0 / self.feature_stride

    @property
    def clip_span(self) -> int:
        """Source frames a clip covers: ``fast_frames`` sampled every ``frame_stride`` frames."""
        return self.fast_frames * self.frame_stride


MODEL_PRESETS: dict[str, ModelPreset] = {}


def register_preset(preset: ModelPreset) -> ModelPreset:
    """Add (or replace) a preset under its name and return it."""
    MODEL_PRESETS[preset.name] = preset
    return preset


def preset_to_dict(preset: ModelPreset) -> dict[str, Any]:
    """Every field, for checkpoints: a run stays loadable after its preset's name changes meaning."""
    return asdict(preset)


def preset_from_dict(values: dict[str, Any]) -> ModelPreset:
    """The preset a checkpoint was trained with; fields it lacks take today's defaults."""
    known = {field.name for field in fields(ModelPreset)}
    return ModelPreset(**{
        key: tuple(value) if isinstance(value, list) else value for key, value in values.items() if key in known
    })


def get_preset(name: str) -> ModelPreset:
    try:
        return MODEL_PRESETS[name]
    except KeyError:
        known = ", ".join(sorted(MODEL_PRESETS))
        raise WsadError(f"unknown model preset {name!r} (known: {known})") from None


register_preset(
    ModelPreset(
        name="slowfast-r50-ava",
        model_depth=50,
        slow_frames=8,
        alpha=4,
        beta_inv=8,
        crop_size=224,
        stem_dim_out=64,
        res4_spatial_stride=2,
        fusion_kernel_size=7,
        frame_stride=2,
        pretrained_url=SLOWFAST_R50_KINETICS_URL,
        description="the paper's detector: SlowFast-R50 8x8, 224 px, RoIAlign 7x7 at 1/16",
    )
)
register_preset(
    ModelPreset(
        name="cpu-small",
        model_depth=18,
        slow_frames=2,
        alpha=4,
        beta_inv=8,
        crop_size=112,
        stem_dim_out=32,
        res4_spatial_stride=1,
        fusion_kernel_size=5,
        frame_stride=2,
        roi_pool_grid=3,
        description="one bottleneck per stage, half width, 8/2 frames at 112 px, stride 8, 3x3 RoI cells",
    )
)
register_preset(
    ModelPreset(
        name="cpu-tiny",
        model_depth=18,
        slow_frames=2,
        alpha=4,
        # A quarter of the slow width for the fast pathway (SlowFast's 1/8 would leave its stem
        # one channel): wave vs hold_arm_up is only told apart by the forearm's motion.
        beta_inv=4,
        crop_size=112,
        stem_dim_out=8,
        res4_spatial_stride=1,
        fusion_kernel_size=5,
        frame_stride=2,
        roi_pool_grid=3,
        description="cpu-small at a quarter of its width (stem 8), fast pathway 1/4: tests, demo, benchmarks",
    )
)
