"""Seconds per training step of the action detector on each model preset, next to its bare backbone.

Usage: python benchmarks/model_forward.py [--preset NAME ...] [--clips 4] [--boxes 4] [--steps 5]

A training step is forward + backward + SGD step of the full detector (backbone, RoIAlign,
both heads) on ``clips`` clips of ``preset.fast_frames`` frames at ``preset.crop_size`` px with
``boxes`` person boxes each. "backbone" is pytorchvideo's SlowFast stem and stages alone,
forward + backward on the same input, so the difference is what the detector adds. Weights are
random: the cost does not depend on their values. By default the CPU presets run; add
``--preset slowfast-r50-ava --steps 1`` for the paper's model (seconds per step on a CPU).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from wsad_core.model import build_model, get_preset, pack_pathways
from wsad_core.model.presets import ModelPreset

CPU_PRESETS = ("cpu-tiny", "cpu-small")


def inputs(
    preset: ModelPreset, clips: int, boxes: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    size = preset.crop_size
    clip = torch.randn(clips, 3, preset.fast_frames, size, size)
    slow, fast = pack_pathways(clip, preset)
    rows = []
    for index in range(clips):
        for k in range(boxes):
            x1 = size * (0.05 + 0.1 * k)
            rows.append([index, x1, size * 0.1, x1 + size * 0.4, size * 0.95])
    return slow, fast, torch.tensor(rows)


def best_time(step: Callable[[], None], steps: int) -> float:
    step()  # warm-up: first calls allocate and pick kernels
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(name: str, clips: int, boxes: int, steps: int) -> tuple[float, float, int]:
    preset = get_preset(name)
    torch.manual_seed(0)
    model = build_model(preset, 80).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    slow, fast, rois = inputs(preset, clips, boxes)
    targets = torch.zeros(clips * boxes, 80)

    def train_step() -> None:
        logits, v = model(slow, fast, rois)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets) + v.mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    def backbone_step() -> None:
        outputs = model.backbone(slow, fast)
        model.backbone.zero_grad(set_to_none=True)
        sum(output.mean() for output in outputs).backward()

    parameters = sum(p.numel() for p in model.parameters())
    return best_time(train_step, steps), best_time(backbone_step, steps), parameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--preset", action="append", help="preset name (repeatable); default: the CPU presets"
    )
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--boxes", type=int, default=4, help="boxes per clip")
    parser.add_argument(
        "--steps", type=int, default=5, help="timed steps after one warm-up (the best is shown)"
    )
    args = parser.parse_args()
    names = args.preset or list(CPU_PRESETS)
    print(f"{args.clips} clips x {args.boxes} boxes, best of {args.steps} steps; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'preset':<18} {'params':>8} {'frames':>7} {'px':>4} {'stride':>6} "
          f"{'train step s':>12} {'backbone f+b s':>14} {'detector extra':>14}")
    for name in names:
        preset = get_preset(name)
        train, backbone, parameters = measure(name, args.clips, args.boxes, args.steps)
        print(f"{name:<18} {parameters / 1e6:7.2f}M {preset.fast_frames:>3}/{preset.slow_frames:<3} "
              f"{preset.crop_size:>4} {preset.feature_stride:>6} {train:12.3f} {backbone:14.3f} "
              f"{train - backbone:+14.3f}")


if __name__ == "__main__":
    main()
