"""What the first steps of a training run do to the classifier and to the features it reads.

Session 13 found that MIL max on `bench-ucf` at lr 0.1 with 4 bags a step spends its first
two epochs at a loss well above the class priors' 0.377 nats, with logits down to -100, its
classifier's weight norm growing from about 1.5 to 13 and the RoI features it reads shrinking
to an eighth of their starting norm, while full supervision at the same rate did none of this
(benchmarks/results/mil_first_epochs_2026-11-28_session13.md). This script trains
a run for a few steps with the real engine and prints, per window of steps:

- the mean and largest step loss (a model that ignores its input scores the priors' 0.377
  nats a class on `bench-ucf`);
- the smallest and largest logit the classifier gave in the window;
- the classifier's weight norm and the mean norm of the RoI features it reads (before
  dropout), at the window's last step.

The run is created in the world's main project (marked stopped, its name says it is a probe);
validation stays off (the hooks would count its forward passes as steps).

Usage: python benchmarks/mil_first_steps.py --out bench-out/ucf9 [--preset bench-ucf]
       [--seed 0] [--steps 120] [--window 24] [key=value ...]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch

from wsad_core.project import Project
from wsad_core.reproduce.worlds import seed_world
from wsad_core.train import make_config
from wsad_core.train.config import to_dict
from wsad_core.train.engine import Trainer
from wsad_core.train.stop import StopRequest
from wsad_core.train.events import EventLog
from wsad_core.train.setup import make_snapshot

#: The training options of the default plan's MIL max run, which the probe starts from.
BASE = [
    "model=cpu-tiny", "mode=mil", "aggregation=max", "loss=bce", "epochs=32",
    "data.tubelets_per_bag=4", "data.bags_per_batch=4", "optim.lr=0.1",
]


class StepRecorder:
    """Forward hooks on the detector's dropout (its input: the RoI features) and classifier."""

    def __init__(self) -> None:
        self.rows: list[dict[str, float]] = []
        self._feature_norm = math.nan

    def attach(self, model: torch.nn.Module) -> None:
        model.dropout.register_forward_hook(self._features)
        model.classifier.register_forward_hook(self._logits)

    def _features(self, _module: torch.nn.Module, inputs: tuple, _output: torch.Tensor) -> None:
        self._feature_norm = float(inputs[0].detach().norm(dim=1).mean())

    def _logits(self, module: torch.nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        logits = output.detach()
        self.rows.append({
            "logit_min": float(logits.min()), "logit_max": float(logits.max()),
            "weight_norm": float(module.weight.detach().norm()), "feature_norm": self._feature_norm,
        })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="a reproduction's folder")
    parser.add_argument("--preset", default="bench-ucf")
    parser.add_argument("--seed", type=int, default=0, help="world seed")
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--window", type=int, default=24, help="steps a printed row covers")
    parser.add_argument("overrides", nargs="*", help="training options (key=value) over the probe's base")
    args = parser.parse_args()
    world = seed_world(args.out, args.preset, args.seed)
    detections = world.ensure_main()
    config = make_config([*BASE, f"data.detections={detections}", *args.overrides, f"max_steps={args.steps}", "val_split=null"])
    losses: list[float] = []

    def listen(event: dict) -> None:
        if event["event"] == "step":
            losses.append(event["loss"])

    recorder = StepRecorder()
    with Project.open(world.main_dir) as project:
        run = project.create_run("probe: " + (" ".join(args.overrides) or "base options"), to_dict(config))
        trainer = Trainer(project, run, config, make_snapshot(project, config), EventLog(None, stdout=None, listener=listen))
        recorder.attach(trainer.model)
        try:
            with StopRequest() as stop:
                trainer.fit(stop)
        finally:
            trainer.close()
            # Not a run to resume or compare: say so in the project's run list.
            project.update_run(run.id, status="stopped", error="probe (benchmarks/mil_first_steps.py)")
    print(f"{args.preset} world {args.seed}, {' '.join(args.overrides) or 'the base options'}")
    print("| steps | mean loss | largest loss | logits | classifier norm | feature norm |")
    print("|---|---|---|---|---|---|")
    for start in range(0, len(losses), args.window):
        window, rows = losses[start:start + args.window], recorder.rows[start:start + args.window]
        print(f"| {start + 1}-{start + len(window)} | {sum(window) / len(window):.3f} | {max(window):.3f} "
              f"| {min(r['logit_min'] for r in rows):.1f} … {max(r['logit_max'] for r in rows):.1f} "
              f"| {rows[-1]['weight_norm']:.2f} | {rows[-1]['feature_norm']:.1f} |")


if __name__ == "__main__":
    main()
