"""Time per training step: the whole pipeline against a bare forward/backward, side by side.

The pipeline step is what `wsad train` does (the DataLoader decoding clips with workers,
resizing them on the device where training does, model, MIL loss, optimiser, bookkeeping),
timed after a first epoch, which also decodes every video once before the loader's workers
start (that epoch's cost is printed too). The bare step is the same model's forward, backward
and SGD step on random tensors with no data loading, on batches of the pipeline's mean number
of clips (tubelets that share a centre frame share a clip, so batches differ); the two are
compared per clip. The target is a pipeline at most 10 % slower than the bare step, i.e. a
loader that keeps the model fed. The loader alone (batches drawn and moved to the device, no
model) is timed too, to tell a slow loader from a loader that competes with the model for the
cores. On CUDA both run as training does there (AMP per ``amp``, channels_last_3d), and the
peak GPU memory of each is printed.

Usage: python benchmarks/train_step.py [--model cpu-tiny] [--steps 20] [--workers 2] [--project DIR]
                                       [--preset demo] [--loader-only] [key=value ...]
                                       (training overrides, e.g. amp=fp16)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from wsad_core.cli import main as wsad
from wsad_core.model import pack_pathways
from wsad_core.project import Project
from wsad_core.train import make_config
from wsad_core.train.engine import Trainer
from wsad_core.train.precision import amp_mode, autocast
from wsad_core.train.stop import StopRequest
from wsad_core.train.events import EventLog
from wsad_core.train.setup import make_snapshot


@dataclass
class PipelineTiming:
    first_epoch_step: float  # seconds per step of the first epoch, with the decoding
    seconds: float  # the timed steps after it, all together
    steps: int
    clips: int  # clips the timed steps read (batches differ: tubelets may share a clip)
    boxes: int
    clip_shape: torch.Size  # (3, T, H, W) of the fast pathway, as the model reads it

    @property
    def clips_per_s(self) -> float:
        return self.clips / self.seconds


def pipeline_seconds(trainer: Trainer, steps: int) -> PipelineTiming:
    """The first epoch (with the decoding of every video before the loader's workers start)
    and ``steps`` steps after it (what the rest of a run costs), with the clips and boxes they
    read, so that the bare step can be timed on batches of the same mean size."""
    started, first_steps = time.perf_counter(), 0
    for batch in trainer._loader():
        trainer._step(batch, float(trainer.state.epoch))
        first_steps += 1
    clip_shape = trainer.model_input(batch.to(trainer.device))[1].shape[1:]  # what the model reads
    first = (time.perf_counter() - started) / first_steps
    trainer.state.epoch += 1
    started, done, clips, boxes = time.perf_counter(), 0, 0, 0
    while done < steps:
        for batch in trainer._loader():
            trainer._step(batch, float(trainer.state.epoch))
            done, clips, boxes = done + 1, clips + len(batch.clips), boxes + len(batch.boxes)
            if done == steps:
                break
        else:
            trainer.state.epoch += 1
    return PipelineTiming(first, time.perf_counter() - started, steps, clips, boxes, clip_shape)


def loader_seconds(trainer: Trainer, steps: int) -> tuple[float, float]:
    """Seconds per batch of the loader alone: workers, collate, pinning, the copy to the device
    and what turns a batch into the model's input there (the resize when the device does it,
    normalisation, pathways), as the bare step starts from that input. Over ``steps`` batches
    after the epochs already run, with clips per second: how fast the data path could feed a
    model that took no time."""
    device, done, clips = trainer.device, 0, 0
    started = time.perf_counter()
    while done < steps:
        for batch in trainer._loader():
            trainer.model_input(batch.to(device))
            clips += batch.clips.shape[0]
            done += 1
            if done == steps:
                break
        trainer.state.epoch += 1
    synchronize(device)
    seconds = time.perf_counter() - started
    return seconds / steps, clips / seconds


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_seconds(trainer: Trainer, shape: torch.Size, boxes: int, steps: int) -> float:
    device = trainer.device
    clips = torch.randn(shape, device=device)
    if device.type == "cuda" and trainer.config.channels_last:
        clips = clips.contiguous(memory_format=torch.channels_last_3d)
    height, width = shape[-2:]
    box_rows = torch.tensor(
        [[i % shape[0], 0.2 * width, 0.1 * height, 0.6 * width, 0.9 * height] for i in range(boxes)], device=device
    )
    model, optimizer = trainer.model, trainer.optimizer
    targets = torch.randint(0, 2, (boxes, len(trainer.labels)), device=device).float()

    def step() -> None:
        slow, fast = pack_pathways(clips, trainer.preset)
        with autocast(trainer.config, device):
            logits, _ = model(slow, fast, box_rows)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step()
    synchronize(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize(device)
    return (time.perf_counter() - started) / steps


def peak_gib(device: torch.device) -> float | None:
    """Peak GPU memory since the last reset, in GiB (None off CUDA)."""
    if device.type != "cuda":
        return None
    peak = torch.cuda.max_memory_allocated(device) / 2**30
    torch.cuda.reset_peak_memory_stats(device)
    return peak


def _memory(peak: float | None) -> str:
    return "" if peak is None else f", peak GPU memory {peak:.2f} GiB"


def _print_cache(event: dict) -> None:
    """How many videos the loader holds decoded: the figure that most changes its speed."""
    if event["event"] == "cache":
        print(f"video cache: {event['held']} of {event['videos']} videos decoded, "
              f"{event['held_mb']} MB of a {event['budget_mb']} MB budget, clips resized by the {event['resized_on']}")
    elif event["event"] == "warning":
        print(f"warning: {event['message']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cpu-tiny")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--project", type=Path, default=None, help="a project (default: a new synthetic world)")
    parser.add_argument("--preset", default="demo", help="world preset of the new project (default: demo)")
    parser.add_argument("--loader-only", action="store_true",
                        help="time the loader alone (e.g. the GPU preset's input on a CPU machine: can N workers feed it?)")
    parser.add_argument("overrides", nargs="*", help="training overrides, key=value (e.g. amp=fp16 device=cpu)")
    args = parser.parse_args()
    root = args.project
    if root is None:
        root = Path(tempfile.mkdtemp()) / "project"
        assert wsad(["synth", "demo", str(root), "--preset", args.preset]) == 0
    config = make_config([f"model={args.model}", f"data.num_workers={args.workers}", *args.overrides])
    with Project.open(root) as project:
        snapshot = make_snapshot(project, config)
        run = project.create_run("train-step-benchmark", {})
        trainer = Trainer(project, run, config, snapshot, EventLog(None, stdout=None, listener=_print_cache))
        device = trainer.device
        peak_gib(device)
        try:
            if args.loader_only:
                loader_seconds(trainer, trainer.steps_per_epoch)  # the first epoch decodes every video
                loader, rate = loader_seconds(trainer, args.steps)
            else:
                with StopRequest():
                    timing = pipeline_seconds(trainer, args.steps)
                pipeline_peak = peak_gib(device)
                loader, rate = loader_seconds(trainer, args.steps)
                clips = max(1, round(timing.clips / timing.steps))
                shape = torch.Size((clips, *timing.clip_shape))
                bare = bare_seconds(trainer, shape, max(1, round(timing.boxes / timing.steps)), args.steps)
                bare_peak = peak_gib(device)
        finally:
            trainer.close()
            # Not a run anyone should resume or compare: say so in the project's run list.
            project.update_run(run.id, status="stopped", error="timing benchmark (benchmarks/train_step.py)")
    if args.loader_only:
        print(f"loader alone, {args.model} input, {args.workers} workers, CPU {torch.get_num_threads()} "
              f"torch threads: {loader:.3f} s per batch, {rate:.1f} clips/s")
        return
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} torch threads"
    print(f"model {args.model} on {where}, amp {amp_mode(config, device)}, clips {tuple(shape[1:])}, "
          f"{timing.clips / timing.steps:.1f} clips and {timing.boxes / timing.steps:.1f} boxes a batch "
          f"(the bare step: {shape[0]}), {args.workers} loader workers")
    bare_rate = shape[0] / bare
    print(f"first epoch ({trainer.steps_per_epoch} steps, with decoding every video first): "
          f"{timing.first_epoch_step:.3f} s per step")
    print(f"pipeline {timing.seconds / timing.steps:.3f} s a step ({timing.clips_per_s:.1f} clips/s{_memory(pipeline_peak)}), "
          f"bare forward/backward {bare:.3f} s ({bare_rate:.1f} clips/s{_memory(bare_peak)}): "
          f"overhead {100 * (bare_rate / timing.clips_per_s - 1):+.0f} % a clip (target ≤ +10 %)")
    print(f"loader alone (no model): {loader:.3f} s per batch, {rate:.1f} clips/s "
          f"with {args.workers} workers ({'enough' if rate > bare_rate else 'NOT enough'} for the bare step)")


if __name__ == "__main__":
    main()
