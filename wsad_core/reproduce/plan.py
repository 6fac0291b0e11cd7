"""What a reproduction runs: worlds, schedules and the points of each sweep.

A plan is plain data, saved next to the results, so a rerun can tell whether the
finished entries it finds were made under the same plan.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsad_core.errors import WsadError
from wsad_core.reproduce.pretraining import DEFAULT_PRETRAIN_SEED, PRETRAINING_KINDS, backbone_path
from wsad_core.synthetic.world import WORLD_VERSION

#: Sub-clip durations are given for videos of this mean length (the ``bench`` preset's
#: 6-10 s) and scaled to the world's own mean video length, so "1 s out of 8" stays the
#: same fraction of a video whatever preset the plan runs on.
REFERENCE_VIDEO_SECONDS = 8.0

STUDIES = ("table", "subclip", "bags", "noise")


@dataclass(frozen=True)
class Plan:
    """Worlds, schedule and sweep points of one reproduction.

    ``seeds`` each generate their own world (and seed training). ``preset`` is the world of
    the table and of the bag and noise sweeps; ``subclip_preset``, when set, the world of the
    sub-clip sweep (the paper measures Tables 1-2 on UCF101-24, one action per video, and the
    sub-clip curve of Table 4 on AVA, several actions per clip). ``epochs`` is the length
    of every run's schedule, the same for all variants (budget = epochs, optionally capped
    by ``max_minutes`` or ``max_steps``). ``subclip_seconds`` are reference durations
    (``None`` = the whole video), ``bag_grid`` (bags per batch, tubelets per bag) pairs at
    a fixed product, ``recalls`` the simulated detector's recall in the noise sweep (the
    world's own recall is the table's run, shared). ``sweep_seeds`` limits the sweeps to the
    first seeds, since they are many more runs than the table.
    """

    name: str
    preset: str
    model: str
    seeds: tuple[int, ...]
    epochs: int
    lr: float = 0.1  # what `bench` was shown learnable with (benchmarks/results/learnability_*session4.md)
    bags_per_batch: int = 4
    tubelets_per_bag: int = 4
    max_minutes: float | None = None
    max_steps: int | None = None
    val_split: str = "val"
    eval_split: str = "test"
    tubelet_stride: int = 1
    subclip_seconds: tuple[float | None, ...] = (1.0, 2.0, 5.0, None)
    bag_grid: tuple[tuple[int, int], ...] = ((4, 4), (3, 5), (2, 8), (1, 16))
    recalls: tuple[float, ...] = (0.9, 0.7, 0.5)
    studies: tuple[str, ...] = STUDIES
    sweep_seeds: int | None = None  # the sweeps run on the first this many seeds (None: all)
    extra_overrides: tuple[str, ...] = field(default_factory=tuple)
    subclip_preset: str | None = None  # the sub-clip sweep's world (None: ``preset``)
    # The fraction of every MIL run's epochs trained naively first (``naive_warmup_epochs``),
    # None: none. The naive and fully supervised baselines are unchanged.
    mil_naive_warmup: float | None = None
    # The backbone every run starts from: None, a random one; "actor-clips", pretrained on the
    # actors' action clips of world ``pretrain_seed`` for ``pretrain_epochs`` epochs
    # (wsad_core.reproduce.pretraining: the counterpart of the paper's Kinetics start).
    pretrain: str | None = None
    pretrain_seed: int | None = None
    pretrain_epochs: int | None = None
    # The generator's version: results of older worlds (files without it) do not resume.
    world_version: int = WORLD_VERSION

    def __post_init__(self) -> None:
        if not self.seeds:
            raise WsadError("a plan needs at least one seed")
        unknown = sorted(set(self.studies) - set(STUDIES))
        if unknown:
            raise WsadError(f"unknown studies {unknown} (known: {', '.join(STUDIES)})")
        if "table" not in self.studies:
            raise WsadError("the table study is what the others are compared with: keep it")
        if self.epochs < 1 or self.tubelet_stride < 1:
            raise WsadError("epochs and tubelet_stride must be positive")
        if self.pretrain is not None:
            if self.pretrain not in PRETRAINING_KINDS:
                raise WsadError(f"unknown pretraining {self.pretrain!r} (known: {', '.join(PRETRAINING_KINDS)})")
            if self.pretrain_seed is None or self.pretrain_epochs is None or self.pretrain_epochs < 1:
                raise WsadError("a pretrained plan needs pretrain_seed and a positive pretrain_epochs")
            if self.pretrain_seed in self.seeds:
                raise WsadError(f"the pretraining world (seed {self.pretrain_seed}) must not be one of the "
                                f"table's worlds {list(self.seeds)}")
        elif self.pretrain_seed is not None or self.pretrain_epochs is not None:
            raise WsadError("pretrain_seed and pretrain_epochs need pretrain")
        if self.mil_naive_warmup is not None and not 0 <= self.mil_naive_warmup < 1:
            raise WsadError(f"mil_naive_warmup is a fraction of the epochs in [0, 1), not {self.mil_naive_warmup}")

    def common_overrides(self, seed: int) -> tuple[str, ...]:
        """Overrides every run of ``seed`` shares (before its variant's and sweep point's)."""
        items = [
            f"model={self.model}", f"epochs={self.epochs}", f"optim.lr={self.lr:g}", f"seed={seed}",
            f"val_split={self.val_split}", f"data.bags_per_batch={self.bags_per_batch}",
            f"data.tubelets_per_bag={self.tubelets_per_bag}",
        ]
        if self.max_minutes is not None:
            items.append(f"max_minutes={self.max_minutes:g}")
        if self.max_steps is not None:
            items.append(f"max_steps={self.max_steps}")
        return (*items, *self.extra_overrides)

    def preset_of(self, study: str) -> str:
        """The world preset ``study``'s runs train in."""
        return self.subclip_preset if study == "subclip" and self.subclip_preset else self.preset

    @property
    def sweep_seed_list(self) -> tuple[int, ...]:
        return self.seeds if self.sweep_seeds is None else self.seeds[: max(1, self.sweep_seeds)]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def label(self) -> str:
        """The plan's name, and its pretraining when it has one: what its results and report
        files are called, so that tables from a random and a pretrained backbone can share
        one output folder (and its worlds)."""
        return self.name if self.pretrain is None else f"{self.name}-pretrained-{self.pretrain}"

    def backbone_file(self, out: Path) -> Path | None:
        """The pretrained checkpoint the plan's runs start from under ``out`` (None: random)."""
        if self.pretrain is None:
            return None
        return backbone_path(out, self.pretrain, self.pretrain_seed, self.pretrain_epochs)


#: Epochs of the pretraining run (``actor-clips`` on bench-ucf: training loss 0.63 → 0.18 in
#: 16 epochs, about 16 minutes on this CPU beside other jobs, session 19).
DEFAULT_PRETRAIN_EPOCHS = 16


def with_pretraining(plan: Plan, kind: str | None, seed: int | None = None, epochs: int | None = None) -> Plan:
    """``plan`` with its runs starting from a backbone pretrained as ``kind`` (None: random)."""
    if kind is None:
        return dataclasses.replace(plan, pretrain=None, pretrain_seed=None, pretrain_epochs=None)
    return dataclasses.replace(plan, pretrain=kind, pretrain_seed=DEFAULT_PRETRAIN_SEED if seed is None else seed,
                               pretrain_epochs=epochs or DEFAULT_PRETRAIN_EPOCHS)


#: The default plan's worlds: Table 1 and the bag and noise sweeps on UCF101-24's kind of
#: labelling, the sub-clip sweep on AVA's (see :class:`Plan`). On ``bench``, whose videos hold
#: 4.2 of the 8 classes, whole-video MIL did not learn at all; on ``bench-ucf`` it does
#: (benchmarks/results/mil_diagnosis_2026-11-27_session6/).
DEFAULT_PRESET = "bench-ucf"
DEFAULT_SUBCLIP_PRESET = "bench"

#: The default plans' naive warm-up of MIL runs, a share of their epochs. From a random backbone,
#: max pooling's first picks are random, and when a run leaves the class priors varied with the
#: seed: four seeds of MIL max gave 0.232 ± 0.086 test Frame AP without it and 0.249 ± 0.015
#: with a quarter of the epochs naive (benchmarks/results/mil_naive_warmup_2026-11-28_session14.md).
#: It stands in for the paper's Kinetics-pretrained start, which cannot be had here.
DEFAULT_MIL_NAIVE_WARMUP = 0.25


def default_plan(
    seed: int = 0, *, preset: str | None = None, model: str = "cpu-tiny", subclip_preset: str | None = None
) -> Plan:
    """Table 1 on three worlds, every sweep point on the first: 31 trained runs.

    Without ``preset``, the table runs on ``bench-ucf`` and the sub-clip sweep on ``bench``;
    a ``preset`` given alone is used for every study. Sizes measured on ``bench-ucf`` (session
    7, 2 shared CPU cores, 96 training videos): a weak epoch is 24 steps plus validation on 16
    videos, about 27 s, a fully supervised one 46 steps, about 55 s; 32 epochs of the six
    variants took 129 min with evaluation, hence several hours for the table's three worlds.
    Every comparison committed since session 8 trained 32 epochs: at 16, MIL runs had not left
    the class priors on a world where they did by 32 (the sub-clip and bag sweeps' shorter
    schedules, session 13). At 32 full, naive, MIL max and mean had levelled off while LSE and
    max + uncertainty still rose: the report's learning curves and "converged" column say
    which; ``--epochs`` changes it. MIL runs train their first quarter naively
    (:data:`DEFAULT_MIL_NAIVE_WARMUP`; ``--mil-warmup 0`` gives the plan of the tables
    committed before session 14).
    """
    preset, subclip_preset = _worlds(preset, subclip_preset)
    return Plan(name="default", preset=preset, model=model, seeds=(seed, seed + 1, seed + 2), epochs=32,
                sweep_seeds=1, subclip_preset=subclip_preset, mil_naive_warmup=DEFAULT_MIL_NAIVE_WARMUP)


def _worlds(preset: str | None, subclip_preset: str | None) -> tuple[str, str | None]:
    """(preset, subclip_preset) of a plan: the defaults when no preset is given, else the
    given one for every study that has no world of its own."""
    if preset is None:
        preset, subclip_preset = DEFAULT_PRESET, subclip_preset or DEFAULT_SUBCLIP_PRESET
    return preset, None if subclip_preset == preset else subclip_preset


def quick_plan(
    seed: int = 0, *, preset: str | None = None, model: str = "cpu-tiny", subclip_preset: str | None = None
) -> Plan:
    """The table on one ``bench-ucf`` world, each run capped at 1.25 training minutes: a smoke
    check of the whole harness within 20 minutes, not a measurement.

    Measured (session 5, 2 cores): about 3.3 min to generate the world; a run capped at 1.5
    min took 99 s of training (with a validation pass an epoch on 16 videos) and 74-78 s of
    test evaluation at tubelet stride 4 (48 videos), 21 min in all, hence 1.25 min.
    The sweeps (``--only subclip,bags,noise``) add 18 more runs. At this budget no variant is
    near convergence (a fully supervised CPU run needs far longer, see ``benchmarks/results/``),
    so compare variants with the default plan.
    """
    preset, subclip_preset = _worlds(preset, subclip_preset)
    return Plan(name="quick", preset=preset, model=model, seeds=(seed,), epochs=3, max_minutes=1.25,
                tubelet_stride=4, studies=("table",), subclip_preset=subclip_preset,
                mil_naive_warmup=DEFAULT_MIL_NAIVE_WARMUP)


def scaled_subclip_seconds(reference: float | None, mean_video_seconds: float) -> float | None:
    """A reference sub-clip duration on a world whose videos last ``mean_video_seconds``."""
    if reference is None:
        return None
    return round(reference * mean_video_seconds / REFERENCE_VIDEO_SECONDS, 3)
