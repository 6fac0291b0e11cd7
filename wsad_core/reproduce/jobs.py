"""The runs a plan asks for: one job per (study, sweep point, world seed).

A job names its project and detections symbolically (the sub-clip duration, the detector
recall), because they exist only once the world of its seed is built; :func:`resolve` turns
it into a project folder and full overrides. Two jobs that resolve to the same run (the
table's MIL max + uncertainty is also the sub-clip sweep's whole-video point) share one result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsad_core.reproduce.plan import Plan, scaled_subclip_seconds
from wsad_core.reproduce.variants import RUN_ORDER, variant_overrides
from wsad_core.reproduce.worlds import SeedWorld
from wsad_core.train import make_config


@dataclass(frozen=True)
class Job:
    study: str
    point: str
    seed: int
    variant: str
    overrides: tuple[str, ...] = ()  # on top of the plan's common overrides and the variant's
    subclip: float | None = None  # reference sub-clip seconds; None: the whole-video labels
    recall: float | None = None  # simulated detector recall; None: the world's own detections
    info: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.study}/{self.point}/seed{self.seed}"


@dataclass(frozen=True)
class Resolved:
    project: Path
    overrides: tuple[str, ...]
    identity: str
    info: dict[str, Any]


def _canonical(overrides: tuple[str, ...]) -> tuple[str, ...]:
    """Overrides with the last value of each key winning, sorted: equal runs compare equal."""
    values: dict[str, str] = {}
    for item in overrides:
        key, _, value = item.partition("=")
        values[key.strip()] = value.strip()
    return tuple(f"{key}={value}" for key, value in sorted(values.items()))


def plan_jobs(plan: Plan) -> list[Job]:
    """Every job of ``plan``: the table for all seeds first (the headline numbers, in
    :data:`RUN_ORDER`), then the sweeps."""
    jobs: list[Job] = [Job("table", name, seed, name) for seed in plan.seeds for name in RUN_ORDER]
    if "subclip" in plan.studies:
        for seed in plan.sweep_seed_list:
            for seconds in plan.subclip_seconds:
                point = "video" if seconds is None else f"{seconds:g}s"
                jobs.append(Job("subclip", point, seed, "mil_max_unc", subclip=seconds,
                                info={"reference_seconds": seconds}))
    if "bags" in plan.studies:
        for seed in plan.sweep_seed_list:
            for bags, tubelets in plan.bag_grid:
                for variant in ("mil_max", "mil_max_unc"):
                    jobs.append(Job(
                        "bags", f"{bags}x{tubelets}-{variant}", seed, variant,
                        (f"data.bags_per_batch={bags}", f"data.tubelets_per_bag={tubelets}"),
                        info={"bags_per_batch": bags, "tubelets_per_bag": tubelets},
                    ))
    if "noise" in plan.studies:
        for seed in plan.sweep_seed_list:
            for recall in plan.recalls:
                for variant in ("mil_max", "mil_max_unc"):
                    jobs.append(Job("noise", f"recall{recall:.2f}-{variant}", seed, variant,
                                    recall=recall, info={"recall": recall}))
    return jobs


def matched_schedule(plan: Plan, scale: float) -> tuple[str, ...]:
    """Epochs (and warm-up) for a sweep point whose epoch is ``1 / scale`` times as many
    steps as the table's, so that every point trains for the same number of steps: shorter
    sub-clips make more bags, fewer bags per batch make more batches. Without this the
    finer-labelled or smaller-batch points would also get more training."""
    if abs(scale - 1.0) < 1e-9:
        return ()
    epochs = max(1, round(plan.epochs * scale))
    warmup = make_config(list(plan.extra_overrides)).optim.warmup_epochs * epochs / plan.epochs
    return (f"epochs={epochs}", f"optim.warmup_epochs={warmup:.4g}")


def _naive_warmup(plan: Plan, variant: str, epochs: int) -> tuple[str, ...]:
    """The naive warm-up of a MIL variant's run of ``epochs`` epochs under ``plan``: the
    same fraction of every schedule, so sweep points with matched step counts keep it."""
    if not plan.mil_naive_warmup or "mode=mil" not in variant_overrides(variant):
        return ()
    return (f"naive_warmup_epochs={plan.mil_naive_warmup * epochs:.4g}",)


def resolve(job: Job, plan: Plan, world: SeedWorld) -> Resolved:
    """Build what ``job`` needs in ``world`` (once) and give its project and full overrides."""
    info = dict(job.info)
    main_set = world.ensure_main()
    project, detections = world.main_dir, main_set
    scale = 1.0
    if job.subclip is not None:
        seconds = scaled_subclip_seconds(job.subclip, world.mean_video_seconds)
        project, detections, stats = world.ensure_subclip(seconds)
        info.update(seconds=seconds, **stats)
        scale = world.whole_video_stats["clips"] / stats["clips"]
    elif job.study == "subclip":
        info.update(seconds=round(world.mean_video_seconds, 3), **world.whole_video_stats)
    if "bags_per_batch" in info:
        scale = info["bags_per_batch"] / plan.bags_per_batch
    if job.recall is not None:
        detections = world.ensure_recall_set(job.recall)
    schedule = matched_schedule(plan, scale)
    if schedule:
        info["epochs"] = int(schedule[0].split("=")[1])
    out = world.root.parent.parent
    backbone = plan.backbone_file(out)
    overrides = _canonical((
        *plan.common_overrides(job.seed), *variant_overrides(job.variant), *job.overrides, *schedule,
        *_naive_warmup(plan, job.variant, info.get("epochs", plan.epochs)), f"data.detections={detections}",
        *([] if backbone is None else [f"pretrained={backbone.resolve()}"]),
    ))
    # Named relative to the output folder, so that a moved folder still finds its shared runs.
    named = [f"pretrained={backbone.relative_to(out)}" if item.startswith("pretrained=") else item
             for item in overrides]
    identity = f"{project.relative_to(world.root.parent)}|{' '.join(named)}"
    return Resolved(project, overrides, identity, info)
