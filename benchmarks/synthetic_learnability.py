"""Is the synthetic world learnable on this CPU, and does it need motion?

Trains the fully supervised baseline on the world's training split within a time budget,
keeps a checkpoint per epoch and prints the learning curve: validation Frame AP (AVA
protocol) of every checkpoint, scored on the ground-truth person boxes (how well actions
are recognised: the number the target is about) and on the simulated detector's tracks
(what a user gets end to end, capped by the detector's recall). Then trains the same model
on single frames (the centre frame repeated): it can still find static poses, but not the
moving member of each pair, so it should stay clearly below the video model.

Usage: python benchmarks/synthetic_learnability.py [--preset bench] [--seed 0] [--minutes 10]
       [--epochs N] [--lr 0.1] [--warmup-epochs 0.25] [--checkpoint-every 46]
       [--model cpu-tiny] [--no-single-frame] [--out bench-out/learnability] [key=value ...]

Trailing ``key=value`` items are training overrides for both models, e.g. ``data.frame_stride=3``
to try another temporal sampling, or ``max_steps=304`` to compare worlds or presets at a fixed
number of steps while the machine is shared (the target itself is the 10 minutes alone).

The lr schedule (cosine over ``--epochs``) is sized to the time budget unless given: a one-epoch
timing run measures this machine's seconds per step, and the schedule gets as many epochs as fill
90 % of ``--minutes``. Machines differ by 3× (8 epochs of the 96-video `bench` training split took
9.5–12 minutes alone on 2 cores in session 4, 3.3 minutes in session 8), and a fixed schedule
either stops before its lr has come down or ends long before the budget does.
benchmarks/results/learnability_2026-11-27_session8.md has the current world's figures.

The curve has a point every ``--checkpoint-every`` steps and at each epoch's end.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select

from wsad_core.cli import main as wsad
from wsad_core.evaluate.ava_io import AvaArrays
from wsad_core.evaluate.frame_ap import FrameApResult, frame_ap
from wsad_core.evaluate.run_frame_ap import run_frame_ap
from wsad_core.formats import AvaRow
from wsad_core.infer import load_run_model, score_instances
from wsad_core.infer.score import FrameInstance
from wsad_core.project import Project
from wsad_core.project.ground_truth import ground_truth_rows
from wsad_core.project.schema import AnnotatedFrame, Video
from wsad_core.synthetic.actions import PARTNER
from wsad_core.train import make_config, read_events, train
from wsad_core.train.full_supervision import ground_truth_snapshot

MOTION_PAIRS = [
    ("wave", "hold_arm_up"), ("clap", "hands_together"), ("kick", "leg_raised"),
    ("crouch_down", "stand_up"), ("jump", None), ("walk", None), ("spin", None),
]


def build_project(root: Path, preset: str, seed: int) -> None:
    if not (root / "project.db").exists():
        started = time.perf_counter()
        assert wsad(["synth", "demo", str(root), "--preset", preset, "--seed", str(seed)]) == 0
        print(f"world {preset} (seed {seed}) generated and imported in {time.perf_counter() - started:.0f} s")


@dataclass
class GtBoxScores:
    """Frame AP on the ground-truth person boxes, with every box's probabilities and labels."""

    result: FrameApResult
    labels: list[str]
    probabilities: np.ndarray  # (boxes, classes)
    truth: np.ndarray  # (boxes, classes) bool
    # What the result was scored against and with (for resampling videos; empty on merged scores).
    gt_rows: list[AvaRow] = field(default_factory=list)
    detections: list[AvaRow] = field(default_factory=list)
    class_ids: list[int] = field(default_factory=list)

    def pair_separation(self) -> dict[str, float]:
        """For each motion pair of the world (moving class / its static partner) among the labels:
        over the boxes labelled with exactly one of the two, the probability that a moving one
        scores higher on (moving − static) than a static one (ROC AUC; 0.5 = cannot tell them apart)."""
        index = {name: i for i, name in enumerate(self.labels)}
        separation = {}
        for static, moving in PARTNER.items():
            if static not in index or moving not in index:
                continue
            m, s = index[moving], index[static]
            only = self.truth[:, m] ^ self.truth[:, s]
            margin = self.probabilities[only, m] - self.probabilities[only, s]
            is_moving = self.truth[only, m]
            if is_moving.all() or not is_moving.any():
                continue
            pos, neg = margin[is_moving], margin[~is_moving]
            separation[f"{moving}/{static}"] = float(
                (pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean()
            )
        return separation


def frame_ap_on_gt_boxes(
    project: Project, run: int, checkpoint: Path | None, frame_stride: int | None, split: str = "val"
) -> GtBoxScores:
    """Frame AP when the proposals are the ground-truth person boxes (bystanders included)."""
    model, preset, labels, _ = load_run_model(project, run, checkpoint=checkpoint)
    videos = {v.name: v for v in project.videos(status="ok") if v.split == split}
    people = ground_truth_snapshot(project, list(videos))
    with project.reading() as session:
        times = dict(
            ((name, frame), t) for name, frame, t in session.execute(
                select(Video.name, AnnotatedFrame.frame, AnnotatedFrame.time)
                .join(Video, Video.id == AnnotatedFrame.video_id).where(Video.name.in_(list(videos)))
            )
        )
        gt_rows = ground_truth_rows(session, video_ids=[v.id for v in videos.values()])
    boxes = [(entry, i, person) for entry in people for i, person in enumerate(entry["people"])]
    instances = [FrameInstance(entry["video"], entry["frame"], i, np.asarray(person["box"])) for entry, i, person in boxes]
    scored = score_instances(model, preset, instances, {n: v.path for n, v in videos.items()},
                             frame_stride=frame_stride, batch_size=16)
    ids = {label.name: label.external_id for label in project.labels()}
    detections = [
        AvaRow(s.instance.video, times[(s.instance.video, s.instance.frame)],
               tuple(float(x) for x in s.instance.box), ids[name], score=float(p))
        for s in scored for name, p in zip(labels, s.probabilities)
    ]
    class_ids = [ids[n] for n in labels]
    result = frame_ap(AvaArrays.from_rows(gt_rows), AvaArrays.from_rows(detections), class_ids)
    truth = np.array([[name in person["labels"] for name in labels] for _, _, person in boxes], dtype=bool)
    probabilities = np.array([s.probabilities for s in scored], dtype=np.float64).reshape(len(boxes), len(labels))
    return GtBoxScores(result, list(labels), probabilities, truth.reshape(len(boxes), len(labels)),
                       gt_rows, detections, class_ids)


def held_out_scores(
    project: Project, run: int, frame_stride: int | None, val: GtBoxScores
) -> tuple[dict[str, float], dict[str, int], FrameApResult]:
    """:meth:`GtBoxScores.pair_separation` over every held-out video (val and test): the val
    split alone holds a handful of instances of each class, too few to tell 0.6 from chance.
    Also the test split's Frame AP on GT boxes: three times the val split's videos, so a
    steadier figure for comparing worlds (the curve and the target stay on val). ``val`` is the
    final model's val scores, already computed."""
    parts = [val, frame_ap_on_gt_boxes(project, run, None, frame_stride, split="test")]
    merged = GtBoxScores(parts[0].result, parts[0].labels, np.concatenate([p.probabilities for p in parts]),
                         np.concatenate([p.truth for p in parts]))
    index = {name: i for i, name in enumerate(merged.labels)}
    boxes = {
        f"{moving}/{static}": int((merged.truth[:, index[moving]] ^ merged.truth[:, index[static]]).sum())
        for static, moving in PARTNER.items() if static in index and moving in index
    }
    return merged.pair_separation(), boxes, parts[1].result


def train_and_curve(project: Project, name: str, overrides: list[str], frame_stride: int | None) -> dict:
    run = train(project, make_config(overrides), name=name, stdout=None)
    events = read_events(project.run_dir(run.id) / "events.jsonl")
    start = next(e["time"] for e in events if e["event"] == "start")
    steps = [e for e in events if e["event"] == "step"]
    step_times = {e["step"]: e["time"] - start for e in steps}
    # Every kept checkpoint has an epoch event at its step (fractional epoch mid-epoch).
    closing = {e["step"]: e for e in events if e["event"] == "epoch"}
    epoch_steps = {e["epoch"]: step for step, e in closing.items() if not e.get("partial")}
    print(f"\n{name}: {len(steps)} steps in {steps[-1]['time'] - start:.0f} s "
          f"({steps[-1]['clips_per_s']:.1f} clips/s), status {run.status}")
    print(f"{'step':>5} {'epoch':>6} {'minutes':>8} {'train loss':>11} {'AP (GT boxes)':>14} {'AP (detections)':>16}")
    curve = []
    checkpoints = []
    for path in (project.run_dir(run.id) / "checkpoints").glob("*-*.pt"):
        kind, number = path.stem.split("-")
        step = epoch_steps.get(int(number)) if kind == "epoch" else int(number)
        if step:
            checkpoints.append((step, path))
    for step, path in sorted(checkpoints):
        on_gt = frame_ap_on_gt_boxes(project, run.id, path, frame_stride).result
        on_detections = run_frame_ap(project, run.id, split="val", frame_stride=frame_stride, checkpoint=path).result
        loss, epoch = closing[step]["train_loss"], closing[step]["epoch"]
        minutes = step_times[step] / 60
        curve.append({"step": step, "epoch": round(epoch, 3), "minutes": minutes, "train_loss": loss,
                      "frame_ap_gt_boxes": on_gt.map, "frame_ap_detections": on_detections.map})
        print(f"{step:5d} {epoch:6.2f} {minutes:8.1f} {loss:11.4f} {on_gt.map:14.3f} {on_detections.map:16.3f}")
    final = frame_ap_on_gt_boxes(project, run.id, None, frame_stride)
    final_det = run_frame_ap(project, run.id, split="val", frame_stride=frame_stride)
    print(f"final: val Frame AP {final.result.map:.3f} on GT boxes, {final_det.result.map:.3f} on detections "
          f"({final_det.frames} keyframes)")
    separation, pair_boxes, test = held_out_scores(project, run.id, frame_stride, final)
    print(f"test Frame AP {test.map:.3f} on GT boxes")
    return {"run": run.id, "steps": len(steps), "curve": curve, "final_gt_boxes": final.result.to_json(),
            "final_detections": final_det.result.to_json(), "classes": final_det.class_names,
            "pair_separation": separation, "pair_boxes": pair_boxes, "test_gt_boxes": test.to_json()}


def fully_supervised(model: str, seed: int, lr: float, warmup_epochs: float) -> list[str]:
    """The training overrides of the benchmark's model (its schedule, budget and checkpoints apart)."""
    return ["mode=full", f"model={model}", "loss=bce", f"seed={seed}", f"optim.lr={lr}",
            f"optim.warmup_epochs={warmup_epochs}"]


SCHEDULE_SHARE = 0.9  # of the budget; checkpoints and the preload of the videos take the rest


def epochs_for_budget(project: Project, common: list[str], minutes: float) -> tuple[int, float, int]:
    """(epochs, seconds per step, steps per epoch): how long a schedule fits in ``minutes`` here,
    from one epoch of timing (its first steps, which start the loader, are left out when the
    epoch is long enough)."""
    run = train(project, make_config([*common, "epochs=1", "keep_checkpoints=false", "checkpoint_every_steps=null"]),
                name="learnability-timing", stdout=None)
    events = read_events(project.run_dir(run.id) / "events.jsonl")
    steps = [e for e in events if e["event"] == "step"]
    if len(steps) > 10:
        seconds_per_step = (steps[-1]["time"] - steps[5]["time"]) / (len(steps) - 6)
    else:  # a short epoch: time it from the start, loader start-up included (errs towards fewer epochs)
        start = next(e["time"] for e in events if e["event"] == "start")
        seconds_per_step = (steps[-1]["time"] - start) / len(steps)
    epochs = max(1, int(SCHEDULE_SHARE * minutes * 60 / (seconds_per_step * len(steps))))
    return epochs, seconds_per_step, len(steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--model", default="cpu-tiny")
    parser.add_argument("--epochs", type=int, default=None,
                        help="length of the lr schedule (default: as many epochs as fit in --minutes here)")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--warmup-epochs", type=float, default=0.25, help="linear warm-up of the lr")
    parser.add_argument("--checkpoint-every", type=int, default=46, help="steps between points of the curve")
    parser.add_argument("--no-single-frame", action="store_true", help="skip the single-frame control")
    parser.add_argument("--out", type=Path, default=Path("bench-out/learnability"))
    parser.add_argument("overrides", nargs="*", help="training overrides, key=value")
    args = parser.parse_args()
    root = (args.out / f"{args.preset}-seed{args.seed}").resolve()
    build_project(root, args.preset, args.seed)
    common = [
        *fully_supervised(args.model, args.seed, args.lr, args.warmup_epochs), f"max_minutes={args.minutes}",
        "keep_checkpoints=true", f"checkpoint_every_steps={args.checkpoint_every}", *args.overrides,
    ]
    report: dict = {"preset": args.preset, "seed": args.seed, "model": args.model, "minutes": args.minutes,
                    "lr": args.lr, "warmup_epochs": args.warmup_epochs, "overrides": args.overrides}
    with Project.open(root) as project:
        epochs = args.epochs
        if epochs is None:
            epochs, seconds_per_step, steps_per_epoch = epochs_for_budget(project, common, args.minutes)
            report["timing"] = {"seconds_per_step": seconds_per_step, "steps_per_epoch": steps_per_epoch}
            print(f"timing epoch: {seconds_per_step:.3f} s per step, {steps_per_epoch} steps per epoch: "
                  f"a schedule of {epochs} epochs fills {SCHEDULE_SHARE:.0%} of {args.minutes:g} min")
        report["epochs"] = epochs
        common.insert(1, f"epochs={epochs}")
        report["video"] = train_and_curve(project, "learnability-video", common, make_config(common).data.frame_stride)
        if not args.no_single_frame:
            report["single_frame"] = train_and_curve(
                project, "learnability-single-frame", [*common, "data.frame_stride=0"], 0
            )
    names = report["video"]["classes"]
    print(f"\n{'class':16} {'video AP':>9} {'single-frame AP':>16}   (GT boxes)")
    video_ap = report["video"]["final_gt_boxes"]["per_class"]
    frame_ap_ = report.get("single_frame", {}).get("final_gt_boxes", {}).get("per_class", {})
    for class_id, name in sorted(names.items()):
        v, f = video_ap.get(str(class_id)), frame_ap_.get(str(class_id))
        print(f"{name:16} {_fmt(v):>9} {_fmt(f):>16}")
    print("\nmotion pairs: can the model tell the moving class from its static partner? (ROC AUC over the")
    print("GT boxes of the val and test videos labelled with one of the two, on the moving-minus-static")
    print("score; 0.5 = chance)")
    single_pairs = report.get("single_frame", {}).get("pair_separation", {})
    for pair, value in report["video"]["pair_separation"].items():
        print(f"{pair:28} video {value:.3f}   single frame {_fmt(single_pairs.get(pair))}   "
              f"({report['video']['pair_boxes'][pair]} boxes)")
    out = root / "learnability.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    single = report.get("single_frame", {}).get("final_gt_boxes", {}).get("mAP")
    print(f"\nvideo model val Frame AP {report['video']['final_gt_boxes']['mAP']:.3f} on GT boxes, "
          f"{report['video']['final_detections']['mAP']:.3f} on detections (target ≥ 0.7 within "
          f"{args.minutes:g} min), test {report['video']['test_gt_boxes']['mAP']:.3f} on GT boxes; "
          f"single-frame {_fmt(single)} on GT boxes; written to {out}")


def _fmt(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:.3f}"


if __name__ == "__main__":
    main()
