"""Is the synthetic world learnable on this CPU, and does it need motion?

Trains the fully supervised baseline on the world's training split within a time budget,
evaluates Frame AP (AVA protocol) on the validation split after every epoch and prints the
learning curve; then trains the same model on single frames (every frame of the clip is the
centre frame) and prints its AP on the motion pairs, which should stay near chance.

Usage: python benchmarks/synthetic_learnability.py [--preset bench] [--seed 0] [--minutes 9]
       [--model cpu-small] [--out bench-out/learnability]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from wsad_core.cli import main as wsad
from wsad_core.evaluate.run_frame_ap import run_frame_ap
from wsad_core.project import Project
from wsad_core.train import make_config, read_events, train

MOTION_PAIRS = [
    ("wave", "hold_arm_up"), ("clap", "hands_together"), ("kick", "leg_raised"),
    ("crouch_down", "stand_up"), ("jump", None), ("walk", None),
]


def build_project(root: Path, preset: str, seed: int) -> None:
    if not (root / "project.db").exists():
        started = time.perf_counter()
        assert wsad(["synth", "demo", str(root), "--preset", preset, "--seed", str(seed)]) == 0
        print(f"world {preset} (seed {seed}) generated and imported in {time.perf_counter() - started:.0f} s")


def train_and_curve(project: Project, name: str, overrides: list[str], frame_stride: int | None) -> dict:
    config = make_config(overrides)
    run = train(project, config, name=name, stdout=None)
    events = read_events(project.run_dir(run.id) / "events.jsonl")
    start = next(e["time"] for e in events if e["event"] == "start")
    checkpoints = sorted((project.run_dir(run.id) / "checkpoints").glob("epoch-*.pt"))
    epoch_times = {e["epoch"]: e["time"] - start for e in events if e["event"] == "epoch"}
    steps = [e for e in events if e["event"] == "step"]
    print(f"\n{name}: {len(steps)} steps in {steps[-1]['time'] - start:.0f} s "
          f"({steps[-1]['clips_per_s']:.1f} clips/s), status {run.status}")
    print(f"{'epoch':>5} {'minutes':>8} {'train loss':>11} {'val Frame AP':>13}")
    curve = []
    for path in checkpoints:
        epoch = int(path.stem.split("-")[1])
        if epoch == 0:
            continue
        result = run_frame_ap(project, run.id, split="val", frame_stride=frame_stride, checkpoint=path).result
        loss = next((e["train_loss"] for e in events if e["event"] == "epoch" and e["epoch"] == epoch), float("nan"))
        minutes = epoch_times.get(epoch, steps[-1]["time"] - start) / 60
        curve.append({"epoch": epoch, "minutes": minutes, "train_loss": loss, "frame_ap": result.map})
        print(f"{epoch:5d} {minutes:8.1f} {loss:11.4f} {result.map:13.3f}")
    final = run_frame_ap(project, run.id, split="val", frame_stride=frame_stride)
    print(f"final (last checkpoint): val Frame AP {final.result.map:.3f} over {final.frames} frames")
    return {"run": run.id, "curve": curve, "final": final.result.to_json(), "classes": final.class_names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=9.0)
    parser.add_argument("--model", default="cpu-small")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--out", type=Path, default=Path("bench-out/learnability"))
    args = parser.parse_args()
    root = (args.out / f"{args.preset}-seed{args.seed}").resolve()
    build_project(root, args.preset, args.seed)
    common = [
        "mode=full", f"model={args.model}", f"epochs={args.epochs}", f"max_minutes={args.minutes}",
        "keep_checkpoints=true", "loss=bce", f"seed={args.seed}",
    ]
    report = {"preset": args.preset, "seed": args.seed, "model": args.model, "minutes": args.minutes}
    with Project.open(root) as project:
        report["video"] = train_and_curve(project, "learnability-video", common, None)
        report["single_frame"] = train_and_curve(project, "learnability-single-frame", [*common, "data.frame_stride=0"], 0)
    names = report["video"]["classes"]
    video_ap = report["video"]["final"]["per_class"]
    frame_ap = report["single_frame"]["final"]["per_class"]
    print(f"\n{'class':16} {'video AP':>9} {'single-frame AP':>16}")
    for class_id, name in sorted(names.items()):
        v, f = video_ap.get(str(class_id)), frame_ap.get(str(class_id))
        print(f"{name:16} {v if v is None else round(v, 3)!s:>9} {f if f is None else round(f, 3)!s:>16}")
    print("\nmotion pairs (moving / static): single-frame APs should be near chance, video APs above")
    for moving, static in MOTION_PAIRS:
        ids = {n: i for i, n in names.items()}
        for cls in (moving, static):
            if cls in ids:
                print(f"  {cls:16} video {video_ap.get(str(ids[cls]))}  single-frame {frame_ap.get(str(ids[cls]))}")
    out = root / "learnability.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nvideo model val Frame AP {report['video']['final']['mAP']:.3f} "
          f"(target ≥ 0.7 within {args.minutes:g} min); single-frame {report['single_frame']['final']['mAP']:.3f}; "
          f"written to {out}")


if __name__ == "__main__":
    main()
