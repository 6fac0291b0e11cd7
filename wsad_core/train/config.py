"""Training configuration: OmegaConf structured dataclasses, saved with every run.

Command lines override any field with ``key=value`` (``optim.lr=0.05 mode=naive``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from wsad_core.errors import WsadError

MODES = ("mil", "naive", "full")
CLASSIFIER_BIASES = ("zero", "prior")
LOSS_NAMES = ("bce", "uncertainty")


@dataclass
class DataConfig:
    detections: Optional[str] = None  # detection set key; None: the project's only one
    tubelet_length: int = 16
    min_score: float = 0.0
    train_split: Optional[str] = "train"  # None: every video
    # Label space: the project's whole vocabulary, or only the labels of a label map
    # (e.g. "ava-v2.2-eval" for AVA's 60 evaluated classes, or a pbtxt file), or listed names.
    label_map: Optional[str] = None
    labels: list[str] = field(default_factory=list)
    frame_stride: Optional[int] = None  # None: the model preset's; 0: one frame repeated (ablation)
    tubelets_per_bag: int = 4  # M in the paper
    bags_per_batch: int = 4
    num_workers: int = 0
    # Decoded small videos kept in memory, decoded before the loader starts so its workers share
    # them. None: half the memory available when training starts, split between a machine's processes.
    cache_mb: Optional[int] = None
    # Where clips are resized to the model's size: "loader" (its workers, and the cache holds
    # resized videos), "device" (whole batches on the training device; the loader handles
    # clips at the video's own size), or "auto": the device on CUDA, the loader elsewhere.
    resize_on: str = "auto"


RESIZE_PLACES = ("auto", "loader", "device")


OPTIMIZERS = ("sgd", "adamw")


@dataclass
class OptimConfig:
    method: str = "sgd"  # sgd (momentum, as the paper) | adamw (learns faster from scratch on CPU presets)
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 1e-4
    warmup_epochs: float = 1.0
    schedule: str = "cosine"  # cosine | steps
    step_epochs: list[int] = field(default_factory=list)  # for "steps": lr ×0.1 at these epochs
    clip_grad: float = 5.0
    # The classifier and uncertainty heads learn at lr x head_lr_scale. Their logits move by about
    # lr x |feature|^2 / (bags x classes) a step, so a few bags a step at a rate that suits the
    # backbone can throw them around (benchmarks/results/mil_first_epochs_2026-11-28_session13.md).
    head_lr_scale: float = 1.0


@dataclass
class TrainConfig:
    model: str = "cpu-small"
    # mil: bags of tubelets; naive: every tubelet inherits the clip's labels;
    # full: boxes labelled from ground-truth boxes (the fully supervised baseline)
    mode: str = "mil"
    aggregation: str = "max"  # max | mean | gem | lse
    r: float = 1.0  # exponent of gem / lse
    # mil: train the first N epochs naively (every tubelet takes its clip's labels), then MIL.
    # A backbone trained from scratch gives max pooling random picks to start from; see README.
    naive_warmup_epochs: float = 0.0
    loss: str = "uncertainty"  # bce | uncertainty (Eq. 6)
    # zero: the classifier's bias starts at 0 (every score 0.5); prior: at the training labels'
    # rates, so the first bag scores are the priors (wsad_core.mil.priors)
    classifier_bias: str = "zero"
    epochs: int = 10
    max_steps: Optional[int] = None  # stop after this many steps in all (quick runs, tests)
    max_minutes: Optional[float] = None  # stop after this much training time (budgeted benchmarks)
    keep_checkpoints: bool = False  # also keep checkpoints/epoch-NNN.pt and step-NNNNNN.pt (learning curves)
    checkpoint_every_steps: Optional[int] = None  # also checkpoint (and validate) every N steps
    val_split: Optional[str] = None  # e.g. "val": Frame AP on that split after every epoch
    seed: int = 0
    device: str = "auto"  # auto: cuda when present
    amp: str = "auto"  # auto (bf16 on CUDA), bf16, fp16, off
    channels_last: bool = True  # channels_last_3d on CUDA
    compile: bool = False  # torch.compile the model
    sync_batchnorm: bool = False  # SyncBatchNorm across processes under torchrun
    pretrained: Optional[str] = None  # Kinetics backbone: a file, or a URL when online
    data: DataConfig = field(default_factory=DataConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)


def make_config(overrides: list[str] | None = None, base: dict[str, Any] | None = None) -> TrainConfig:
    """The default config, updated by ``base`` (e.g. a saved run) then ``key=value`` overrides."""
    try:
        config = OmegaConf.structured(TrainConfig)
        if base:
            config = OmegaConf.merge(config, base)
        if overrides:
            config = OmegaConf.merge(config, OmegaConf.from_dotlist(list(overrides)))
    except OmegaConfBaseException as exc:
        raise WsadError(f"bad training option: {exc}".splitlines()[0]) from None
    result: TrainConfig = OmegaConf.to_object(config)
    if result.mode not in MODES:
        raise WsadError(f"unknown mode {result.mode!r} (one of {', '.join(MODES)})")
    if result.loss not in LOSS_NAMES:
        raise WsadError(f"unknown loss {result.loss!r} (one of {', '.join(LOSS_NAMES)})")
    if result.classifier_bias not in CLASSIFIER_BIASES:
        raise WsadError(
            f"unknown classifier_bias={result.classifier_bias!r} (one of {', '.join(CLASSIFIER_BIASES)})"
        )
    if result.naive_warmup_epochs < 0 or (result.naive_warmup_epochs > 0 and result.mode != "mil"):
        raise WsadError(f"naive_warmup_epochs={result.naive_warmup_epochs} needs mode=mil and a value ≥ 0")
    if result.data.resize_on not in RESIZE_PLACES:
        raise WsadError(f"unknown data.resize_on={result.data.resize_on!r} (one of {', '.join(RESIZE_PLACES)})")
    if result.optim.head_lr_scale <= 0:
        raise WsadError(f"optim.head_lr_scale must be positive, got {result.optim.head_lr_scale}")
    if result.optim.method not in OPTIMIZERS:
        raise WsadError(f"unknown optimiser optim.method={result.optim.method!r} (one of {', '.join(OPTIMIZERS)})")
    return result


def to_dict(config: TrainConfig) -> dict[str, Any]:
    return OmegaConf.to_container(OmegaConf.structured(config), resolve=True)


def save_config(config: TrainConfig, path: Path) -> None:
    path.write_text(OmegaConf.to_yaml(OmegaConf.structured(config)))


def load_config(path: Path) -> TrainConfig:
    return make_config(base=OmegaConf.to_container(OmegaConf.load(path)))
