"""How far apart must two methods be on a synthetic world before one run tells them apart?

Trains the learnability benchmark's fully supervised model on one world with several training
seeds (or takes finished runs of a project), scores each on the test split's ground-truth person
boxes (Frame AP, AVA protocol) and splits the spread of those scores in two:

- the test split's share: resampling the test videos with replacement (the same draws for every
  run) gives the spread of one run's AP and of the difference between two runs on one split;
  more test videos shrink it (as one over the square root of their number);
- the training's share: what the seeds' spread holds beyond the split's share. More test
  videos do not shrink it; only more runs a side (or a steadier recipe) do.

It then prints how many runs a side make a gap of ``--gap`` (default 0.025) beyond seed noise
at 95 % (Student's t over the runs). A comparison on one world (two methods, n seeds each) and
the reproduction's comparison paired by world seed (``wsad bench reproduce --seeds``) both carry
two runs' training noise per gap, so the count holds for both.

Usage: python benchmarks/seed_noise.py [--preset bench] [--world-seed 0] [--seeds 0 1 2]
       [--epochs 24] [--runs RUN ...] [--resamples 200] [--gap 0.025] [--out bench-out/learnability]
       [key=value ...]

``--runs`` also scores finished runs of the world's project (e.g. those of
``synthetic_learnability.py``, whose projects live under the same ``--out``); ``--runs 6 8 --seeds``
scores only those. Training runs are
named ``seed-noise-<seed>-<epochs>ep`` and reused when a finished one exists. Results of
session 9 are in benchmarks/results/seed_noise_2026-11-27_session9.md.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
from pathlib import Path

import numpy as np

from synthetic_learnability import build_project, frame_ap_on_gt_boxes, fully_supervised
from wsad_core.evaluate.ava_io import AvaArrays
from wsad_core.evaluate.resample import bootstrap_frame_ap
from wsad_core.project import Project
from wsad_core.reproduce.summary import t_quantile_975
from wsad_core.train import make_config, train


def trained_runs(project: Project, seeds: list[int], epochs: int, args: argparse.Namespace) -> dict[str, int]:
    """Run id per seed, training the seeds that have no finished run of this length yet."""
    finished = {run.name: run.id for run in project.runs() if run.status == "done"}
    runs = {}
    for seed in seeds:
        name = f"seed-noise-{seed}-{epochs}ep"
        if name not in finished:
            overrides = [*fully_supervised(args.model, seed, args.lr, args.warmup_epochs), f"epochs={epochs}",
                         "keep_checkpoints=false", "checkpoint_every_steps=null", *args.overrides]
            run = train(project, make_config(overrides), name=name, stdout=None)
            print(f"trained {name}: run {run.id}, {run.status}", flush=True)
            finished[name] = run.id
        runs[f"seed {seed}"] = finished[name]
    return runs


def runs_a_side(seed_std: float, gap: float, most: int = 100) -> int | None:
    """The fewest runs per method for which ``gap`` exceeds the 95 % interval of a difference of
    two means of independent runs with this std (None: more than ``most``)."""
    for n in range(2, most + 1):
        if t_quantile_975(2 * n - 2) * seed_std * math.sqrt(2 / n) < gap:
            return n
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench")
    parser.add_argument("--world-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2],
                        help="training seeds to train (or reuse); none with --seeds alone")
    parser.add_argument("--epochs", type=int, default=24, help="24: the 10-minute schedule on this CPU (session 8)")
    parser.add_argument("--runs", type=int, nargs="+", help="finished runs of the project to score too")
    parser.add_argument("--model", default="cpu-tiny")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--warmup-epochs", type=float, default=0.25)
    parser.add_argument("--resamples", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.025)
    parser.add_argument("--out", type=Path, default=Path("bench-out/learnability"))
    parser.add_argument("overrides", nargs="*", help="training overrides, key=value")
    args = parser.parse_args()
    root = (args.out / f"{args.preset}-seed{args.world_seed}").resolve()
    build_project(root, args.preset, args.world_seed)
    with Project.open(root) as project:
        runs = {f"run {r}": r for r in args.runs or []}
        if args.seeds:
            runs.update(trained_runs(project, args.seeds, args.epochs, args))
        if len(runs) < 2:
            parser.error("the spread needs at least two runs")
        scores = {name: frame_ap_on_gt_boxes(project, run, None, None, split="test") for name, run in runs.items()}
    first = next(iter(scores.values()))
    gt = AvaArrays.from_rows(first.gt_rows)
    resampled = bootstrap_frame_ap(gt, {name: AvaArrays.from_rows(s.detections) for name, s in scores.items()},
                                   first.class_ids, resamples=args.resamples)
    print(f"\n{args.preset} world seed {args.world_seed}, test split: {len(gt.video_ids)} videos; "
          f"{args.resamples} resamples of them")
    print(f"{'':10} {'Frame AP':>9} {'split std':>10}   (GT boxes)")
    for name, s in scores.items():
        print(f"{name:10} {s.result.map:9.3f} {resampled[name].std(ddof=1):10.3f}")
    values = [s.result.map for s in scores.values()]
    seed_std = statistics.stdev(values)
    pair_var = [np.var(resampled[a] - resampled[b], ddof=1) for a, b in itertools.combinations(scores, 2)]
    split_share = math.sqrt(statistics.fmean(pair_var))
    training = math.sqrt(max(0.0, seed_std**2 - split_share**2 / 2))
    print(f"\nacross {len(values)} runs: mean {statistics.fmean(values):.3f}, std {seed_std:.3f}")
    print(f"a difference of two runs on this split: std {split_share:.3f} from the split (resampling), "
          f"{math.sqrt(2) * training:.3f} from training")
    print(f"training's share of one run's spread: {training:.3f} (the seeds' std, less the split's share)")
    for factor in (2, 4):
        std = math.sqrt(training**2 + split_share**2 / (2 * factor))
        print(f"  with {factor}x the test videos a run's spread would be about {std:.3f}")
    needed = runs_a_side(seed_std, args.gap)
    print(f"a gap of {args.gap:g} is beyond seed noise (95 %) with "
          f"{'more than 100' if needed is None else needed} runs a side (world seeds, when paired)")


if __name__ == "__main__":
    main()
