"""What a reproduction runs: worlds, schedules and the points of each sweep.

A plan is plain data, saved next to the results, so a rerun can tell whether the
finished entries it finds were made under the same plan.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from wsad_core.errors import WsadError

#: Sub-clip durations are given for videos of this mean length (the ``bench`` preset's
#: 6-10 s) and scaled to the world's own mean video length, so "1 s out of 8" stays the
#: same fraction of a video whatever preset the plan runs on.
REFERENCE_VIDEO_SECONDS = 8.0

STUDIES = ("table", "subclip", "bags", "noise")


@dataclass(frozen=True)
class Plan:
    """Worlds, schedule and sweep points of one reproduction.

    ``seeds`` each generate their own world (and seed training). ``epochs`` is the length
    of every run's schedule, the same for all variants (budget = epochs, optionally capped
    by ``max_minutes`` or ``max_steps``). ``subclip_seconds`` are reference durations
    (``None`` = the whole video), ``bag_grid`` (bags per batch, tubelets per bag) pairs at
    a fixed product, ``recalls`` the simulated detector's recall in the noise sweep.
    """

    name: str
    preset: str
    model: str
    seeds: tuple[int, ...]
    epochs: int
    lr: float = 0.05
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
    extra_overrides: tuple[str, ...] = field(default_factory=tuple)

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

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def default_plan(seed: int = 0, *, preset: str = "bench", model: str = "cpu-tiny") -> Plan:
    """Three worlds, every sweep point, schedules long enough for MIL to plateau."""
    return Plan(name="default", preset=preset, model=model, seeds=(seed, seed + 1, seed + 2), epochs=30)


def quick_plan(seed: int = 0, *, preset: str = "demo", model: str = "cpu-tiny") -> Plan:
    """One world and short schedules: the whole table and thinned sweeps in <= 20 minutes
    on the 2-core CPU (see ``QUICK_SIZING`` for the measurement behind the numbers)."""
    return Plan(
        name="quick", preset=preset, model=model, seeds=(seed,), epochs=8, tubelet_stride=4,
        subclip_seconds=(1.0, 5.0, None), bag_grid=((4, 4), (1, 16)), recalls=(0.9, 0.5),
    )


def scaled_subclip_seconds(reference: float | None, mean_video_seconds: float) -> float | None:
    """A reference sub-clip duration on a world whose videos last ``mean_video_seconds``."""
    if reference is None:
        return None
    return round(reference * mean_video_seconds / REFERENCE_VIDEO_SECONDS, 3)
