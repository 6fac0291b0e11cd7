"""The tubelet scorer: a Fast-RCNN-style SlowFast detector (Arnab et al. 2020, section 3.4).

A SlowFast backbone (pytorchvideo's ``create_slowfast``, without its classification head) turns
a clip into res5 feature maps for both pathways. Each pathway is averaged over time and the two
are concatenated along channels; RoIAlign then pools one feature per person box, as SlowFast does
for AVA. Two linear heads read that feature: class logits and, optionally, the per-class
uncertainty ``v = log sigma^2``.
"""

from __future__ import annotations

import logging
import math
import urllib.error
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from pytorchvideo.models.slowfast import create_slowfast
from torch import Tensor, nn
from torchvision.ops import roi_align

from wsad_core.errors import WsadError
from wsad_core.model.presets import ModelPreset, get_preset

log = logging.getLogger(__name__)

#: The ``v = log sigma^2`` the uncertainty head starts from, through its bias (softplus(bias) = v).
#: A zero bias starts at v = log 2: sigma^2 = 2 halves every bag's cross-entropy, and the head,
#: with slope sigmoid(0) = 0.5, quickly raises sigma^2 on positive bags whose cross-entropy is
#: above one nat, which early in training from scratch is nearly all of them. On `bench-ucf`,
#: MIL max + uncertainty then stayed at the class priors for 13 epochs (validation Frame AP
#: 0.137 at epoch 24). Starting at v = 0.01 (sigma^2 of about 1, the plain MIL loss, and slope
#: 0.01, so doubt grows only where it persists) gave 0.324 at epoch 24; v = 0.1 was still at the
#: priors at epoch 7 (session 9, benchmarks/results/uncertainty_init_2026-11-27_session9.md).
INITIAL_LOG_VARIANCE = 0.01

#: Stem plus res2..res5 in pytorchvideo's ``Net.blocks``; later blocks are its pooling and head.
_BACKBONE_BLOCKS = 5


class SlowFastBackbone(nn.Module):
    """pytorchvideo's SlowFast stem and stages, returning the res5 map of each pathway.

    Parameter names (``blocks.N...``) are those of pytorchvideo's checkpoints, so their backbone
    tensors load by name.
    """

    def __init__(self, preset: ModelPreset) -> None:
        super().__init__()
        net = create_slowfast(
            model_depth=preset.model_depth,
            model_num_class=1,
            slowfast_channel_reduction_ratio=(preset.beta_inv,),
            slowfast_conv_channel_fusion_ratio=preset.fusion_conv_channel_ratio,
            slowfast_fusion_conv_kernel_size=(preset.fusion_kernel_size, 1, 1),
            slowfast_fusion_conv_stride=(preset.alpha, 1, 1),
            stem_dim_outs=(preset.stem_dim_out, preset.stem_dim_out // preset.beta_inv),
            # res5 is dilated instead of strided, as in SlowFast's AVA detector.
            stage_spatial_strides=(
                (1, 2, preset.res4_spatial_stride, 1),
                (1, 2, preset.res4_spatial_stride, 1),
            ),
            stage_conv_b_dilations=(
                ((1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 2, 2)),
                ((1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 2, 2)),
            ),
            head=None,
            head_pool=nn.AdaptiveAvgPool3d,
        )
        self.blocks = nn.ModuleList(list(net.blocks)[:_BACKBONE_BLOCKS])
        width = preset.stem_dim_out * 32  # res5 output of the slow pathway: stem x 4 x 2^3
        self.out_channels = width + width // preset.beta_inv

    def forward(self, slow: Tensor, fast: Tensor) -> list[Tensor]:
        x = [slow, fast]
        for block in self.blocks:
            x = block(x)
        return x


class ActionDetector(nn.Module):
    """Scores person boxes of a clip for ``num_classes`` independent (sigmoid) labels.

    :meth:`forward` returns raw logits in training and evaluation alike; the sigmoid belongs to
    the loss or to whoever reads scores.

    The uncertainty head predicts ``v = log sigma^2 >= 0`` per class. The paper names the
    positivity function "softplus, log(1 + exp(-x))", but that is softplus of ``-x``; what it
    needs is only ``v >= 0`` with ``1 / sigma^2 = exp(-v)``, so we use the standard
    ``v = log(1 + exp(z))`` of the head's output ``z``. With ``v >= 0``, ``sigma^2 >= 1``: the
    uncertainty can only soften the cross entropy, never sharpen it.
    """

    def __init__(self, preset: ModelPreset, num_classes: int, *, uncertainty: bool = True) -> None:
        super().__init__()
        if num_classes < 1:
            raise WsadError(f"a detector needs at least one class, got {num_classes}")
        self.preset = preset
        self.num_classes = num_classes
        self.backbone = SlowFastBackbone(preset)
        features = self.backbone.out_channels * preset.roi_pool_grid**2
        self.dropout = nn.Dropout(preset.dropout)
        self.classifier = nn.Linear(features, num_classes)
        self.uncertainty_head = nn.Linear(features, num_classes) if uncertainty else None
        # SlowFast's initialisation of its projection layer.
        nn.init.normal_(self.classifier.weight, std=0.01)
        nn.init.zeros_(self.classifier.bias)
        if self.uncertainty_head is not None:
            nn.init.normal_(self.uncertainty_head.weight, std=0.01)
            nn.init.constant_(self.uncertainty_head.bias, math.log(math.expm1(INITIAL_LOG_VARIANCE)))
        #: Filled by :func:`load_pretrained_backbone`.
        self.pretrained_report: PretrainedReport | None = None

    def set_class_bias(self, logits: Sequence[float]) -> None:
        """Start the classifier's per-class bias at ``logits`` (e.g. the label priors, see
        :mod:`wsad_core.mil.priors`)."""
        bias = torch.as_tensor(logits, dtype=self.classifier.bias.dtype)
        if bias.shape != self.classifier.bias.shape:
            raise ValueError(f"expected {self.num_classes} class biases, got {tuple(bias.shape)}")
        with torch.no_grad():
            self.classifier.bias.copy_(bias)

    @property
    def has_uncertainty(self) -> bool:
        return self.uncertainty_head is not None

    def roi_features(self, slow: Tensor, fast: Tensor, boxes: Tensor) -> Tensor:
        """One pooled feature per box, before dropout: (R, C_slow + C_fast), times the cells of
        the preset's ``roi_pool_grid``."""
        _check_inputs(slow, fast, boxes)
        slow_map, fast_map = self.backbone(slow, fast)
        # Average over time per pathway (their lengths differ), then stack channels.
        feature_map = torch.cat([slow_map.mean(dim=2), fast_map.mean(dim=2)], dim=1)
        # RoIAlign in float32: it is cheap here and keeps box coordinates exact under autocast.
        pooled = roi_align(
            feature_map.float(),
            boxes.float(),
            output_size=self.preset.roi_output_size,
            spatial_scale=self.preset.spatial_scale,
            sampling_ratio=self.preset.sampling_ratio,
            aligned=True,
        )
        if self.preset.roi_pool_grid == 1:
            return pooled.amax(dim=(2, 3))
        return F.adaptive_avg_pool2d(pooled, self.preset.roi_pool_grid).flatten(1)

    def forward(self, slow: Tensor, fast: Tensor, boxes: Tensor) -> tuple[Tensor, Tensor | None]:
        """Logits (R, C) and ``v = log sigma^2`` (R, C) or None without the uncertainty head.

        ``slow`` is (B, 3, Ts, H, W), ``fast`` (B, 3, Tf, H, W) (see :func:`pack_pathways`);
        ``boxes`` is (R, 5) rows of ``[batch_index, x1, y1, x2, y2]`` in input pixels.
        """
        features = self.dropout(self.roi_features(slow, fast, boxes))
        logits = self.classifier(features)
        if self.uncertainty_head is None:
            return logits, None
        return logits, F.softplus(self.uncertainty_head(features))


def _check_inputs(slow: Tensor, fast: Tensor, boxes: Tensor) -> None:
    if slow.ndim != 5 or fast.ndim != 5:
        shapes = f"{tuple(slow.shape)}, {tuple(fast.shape)}"
        raise ValueError(f"slow and fast must be (B, 3, T, H, W); got {shapes}")
    if slow.shape[0] != fast.shape[0] or slow.shape[3:] != fast.shape[3:]:
        shapes = f"{tuple(slow.shape)}, {tuple(fast.shape)}"
        raise ValueError(f"slow and fast differ in batch size or frame size: {shapes}")
    if boxes.ndim != 2 or boxes.shape[1] != 5:
        raise ValueError(f"boxes must be (R, 5) [batch_index, x1, y1, x2, y2]; got {tuple(boxes.shape)}")
    # A data-dependent check: skipped under torch.compile, where it would break the graph.
    if torch.compiler.is_compiling() or not boxes.numel():
        return
    if boxes[:, 0].min() < 0 or boxes[:, 0].max() >= slow.shape[0]:
        raise ValueError(f"box batch indices must lie in [0, {slow.shape[0]})")


def pack_pathways(clip: Tensor, preset: ModelPreset | str) -> tuple[Tensor, Tensor]:
    """Split a (B, 3, T, H, W) clip into the slow (T // alpha frames) and fast (all T) inputs.

    Slow frames are picked as PySlowFast does: ``T // alpha`` indices evenly spaced from the
    first to the last frame (rounded down), so the slow pathway spans the whole clip.
    """
    preset = get_preset(preset) if isinstance(preset, str) else preset
    if clip.ndim != 5:
        raise ValueError(f"clip must be (B, 3, T, H, W); got {tuple(clip.shape)}")
    frames = clip.shape[2]
    if frames < preset.alpha:
        raise ValueError(f"a clip needs at least alpha={preset.alpha} frames, got {frames}")
    index = torch.linspace(0, frames - 1, frames // preset.alpha, device=clip.device).long()
    return clip.index_select(2, index), clip


def normalize_clip(clip: Tensor, preset: ModelPreset) -> Tensor:
    """Scale a (B, 3, T, H, W) clip in [0, 255] (uint8) or [0, 1] (float) by the preset's mean/std."""
    if clip.dtype == torch.uint8:
        clip = clip.float() / 255.0
    mean = torch.tensor(preset.mean, dtype=clip.dtype, device=clip.device).view(1, 3, 1, 1, 1)
    std = torch.tensor(preset.std, dtype=clip.dtype, device=clip.device).view(1, 3, 1, 1, 1)
    return (clip - mean) / std


@dataclass
class PretrainedReport:
    """What :func:`load_pretrained_backbone` did, tensor by tensor name."""

    source: str
    loaded: list[str] = field(default_factory=list)
    #: Checkpoint tensors not used: ``(name, reason)``; a Kinetics classifier lands here.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Backbone tensors the checkpoint did not provide; they keep their initialisation.
    missing: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.source}: loaded {len(self.loaded)} backbone tensors, "
            f"skipped {len(self.skipped)}, {len(self.missing)} backbone tensors not in the file"
        )


def load_pretrained_backbone(model: ActionDetector, source: str | Path) -> PretrainedReport:
    """Copy matching backbone tensors from a checkpoint file or URL into ``model``.

    Accepts pytorchvideo/PySlowFast checkpoints (state dict under ``model_state``), bare state
    dicts and this project's own ``ActionDetector`` state dicts. Only tensors whose name maps to
    a backbone tensor of the same shape are copied; the heads always stay new.
    """
    checkpoint = _read_checkpoint(str(source))
    state = _unwrap_state_dict(checkpoint, str(source))
    target = model.backbone.state_dict()
    report = PretrainedReport(source=str(source))
    updates: dict[str, Tensor] = {}
    for name, tensor in state.items():
        key = _backbone_key(name)
        if key is None or key not in target:
            report.skipped.append((name, "not a backbone tensor"))
        elif not isinstance(tensor, Tensor) or tensor.shape != target[key].shape:
            shape = tuple(tensor.shape) if isinstance(tensor, Tensor) else type(tensor).__name__
            report.skipped.append((name, f"shape {shape} != {tuple(target[key].shape)}"))
        else:
            updates[key] = tensor
            report.loaded.append(name)
    if not updates:
        raise WsadError(f"{source}: no tensor matches this model's backbone ({model.preset.name})")
    model.backbone.load_state_dict(updates, strict=False)
    report.missing = [key for key in target if key not in updates]
    model.pretrained_report = report
    log.info(report.summary())
    return report


def _read_checkpoint(source: str) -> Any:
    if "://" in source:
        try:
            return torch.hub.load_state_dict_from_url(source, map_location="cpu", weights_only=True)
        except (urllib.error.URLError, OSError) as exc:
            cache = Path(torch.hub.get_dir()) / "checkpoints" / Path(source.split("?")[0]).name
            raise WsadError(
                f"cannot download pretrained weights from {source} ({exc}). Put the file at "
                f"{cache}, or pass its local path instead of the URL."
            ) from exc
    path = Path(source).expanduser()
    if not path.is_file():
        raise WsadError(f"pretrained weights file not found: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for files that are not checkpoints
        raise WsadError(f"{path}: not a readable PyTorch checkpoint ({exc})") from exc


def _unwrap_state_dict(checkpoint: Any, source: str) -> dict[str, Any]:
    if isinstance(checkpoint, dict):
        for key in ("model_state", "state_dict", "model"):
            if isinstance(checkpoint.get(key), dict):
                return checkpoint[key]
        if any(isinstance(value, Tensor) for value in checkpoint.values()):
            return checkpoint
    raise WsadError(f"{source}: holds no state dict")


def _backbone_key(name: str) -> str | None:
    """Map a checkpoint tensor name to ``SlowFastBackbone``'s, or None when it is no backbone's."""
    for prefix in ("module.", "model."):
        name = name.removeprefix(prefix)
    name = name.removeprefix("backbone.")
    parts = name.split(".")
    if len(parts) < 3 or parts[0] != "blocks" or not parts[1].isdigit():
        return None
    return name if int(parts[1]) < _BACKBONE_BLOCKS else None


def build_model(
    preset: ModelPreset | str,
    num_classes: int,
    *,
    uncertainty: bool = True,
    pretrained: str | Path | None = None,
) -> ActionDetector:
    """Build a detector for ``preset``; ``pretrained`` (file or URL) initialises its backbone.

    Pass ``preset.pretrained_url`` as ``pretrained`` for the paper's Kinetics initialisation.
    """
    preset = get_preset(preset) if isinstance(preset, str) else preset
    model = ActionDetector(preset, num_classes, uncertainty=uncertainty)
    if pretrained is not None:
        load_pretrained_backbone(model, pretrained)
    return model
