"""Does a backbone pretrained on video-level labels make MIL take off reliably?

The paper's backbone comes pretrained on Kinetics: video classification, no boxes, on other
videos of largely the same actions. This builds the synthetic counterpart and trains a table
variant from it:

``pretrain``: a world of another seed (default 100), on which the naive baseline trains: each
window inherits its video's label. ``--boxes`` says which "person" boxes it sees:

- ``whole-frame`` (session 10): one whole-frame box a frame, so video classification through
  the same RoI head;
- ``actor-clips`` (session 19): the annotated actors' true boxes in the frames where they act,
  nothing else. Kinetics' clips are trimmed to a person doing the action and labelled by
  hand, so this is the nearer counterpart: clip labels, no boxes supervised, no negatives.
  ``wsad bench reproduce --pretrain actor-clips`` trains the same backbone for every run of a plan.

Its checkpoint is the backbone to start from (``pretrained=`` accepts this project's own
checkpoints).

``train``: one variant of Table 1 on a reproduction's world, with the table's settings and
``pretrained=`` that checkpoint, then scored as the table scores (test split, tubelet stride 1)
on the world's detections and on the tuned detector's (the paper's protocol).

Usage:
  python benchmarks/pretrained_backbone.py pretrain --out bench-out/pre [--seed 100] [--epochs 20] \\
      [--boxes actor-clips]
  python benchmarks/pretrained_backbone.py train --out bench-out/ucf9 --seed 0 --variant mil_max \\
      --pretrained bench-out/pre/worlds/bench-ucf-seed100/main/runs/1/checkpoints/last.pt
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np

from wsad_core.detect import import_precomputed
from wsad_core.evaluate.run_eval import evaluate_run
from wsad_core.formats import AvaRow, write_ava_csv
from wsad_core.infer.predict import PredictOptions
from wsad_core.project import Project
from wsad_core.reproduce.plan import default_plan
from wsad_core.reproduce.pretraining import pretraining_overrides
from wsad_core.reproduce.variants import variant_overrides
from wsad_core.reproduce.worlds import SeedWorld, seed_world
from wsad_core.train import make_config, train


def whole_frame_set(world: SeedWorld) -> str:
    """One box over the whole picture in every frame of every video, imported; its key."""
    whole_frame = np.array([0.0, 0.0, 1.0, 1.0])
    rows = [
        AvaRow(video.video_id, round(frame / video.fps, 4), whole_frame, None, score=1.0)
        for video in world.manifest.videos
        for frame in range(video.frames)
    ]
    path = world.world_dir / "detections_full_frame.csv"
    write_ava_csv(rows, path)
    with Project.open(world.main_dir) as project:
        return import_precomputed(project, path).set_key


PRETRAINING_BOXES = {"whole-frame": whole_frame_set, "actor-clips": SeedWorld.ensure_actor_clip_set}


def pretrain(out: Path, preset: str, seed: int, epochs: int, boxes: str) -> None:
    world = seed_world(out, preset, seed)
    world.ensure_main()
    key = PRETRAINING_BOXES[boxes](world)
    with Project.open(world.main_dir) as project:
        started = time.time()
        run = train(project, make_config(list(pretraining_overrides("cpu-tiny", epochs, 0.1, key))),
                    name=f"pretrain-{boxes}", stdout=None)
        checkpoint = project.run_dir(run.id) / "checkpoints" / "last.pt"
    print(f"pretrained run {run.id}: {run.status} in {time.time() - started:.0f} s; backbone {checkpoint}")


def train_variant(out: Path, preset: str, seed: int, variant: str, pretrained: Path, epochs: int) -> None:
    plan = dataclasses.replace(default_plan(seed, preset=preset), epochs=epochs)
    world = seed_world(out, preset, seed)
    detections = world.ensure_main()
    overrides = [*plan.common_overrides(seed), *variant_overrides(variant),
                 f"data.detections={detections}", f"pretrained={pretrained.resolve()}"]
    with Project.open(world.main_dir) as project:
        started = time.time()
        run = train(project, make_config(overrides), name=f"pretrained-{variant}", stdout=None)
        seconds = time.time() - started
        scores = {}
        for protocol, key in (("own", detections), ("tuned", world.ensure_tuned_set())):
            options = PredictOptions(tubelet_stride=1, detections=key)
            summary = evaluate_run(project, run.id, split="test", video_gt=world.video_gt, options=options).to_json()
            video_ap = (summary["video_ap"] or {}).get("mAP", {})
            scores[protocol] = {"frame_ap": summary["frame_ap"]["mAP"], "video_ap_0.5": video_ap.get("0.5")}
    print(json.dumps({"variant": variant, "world_seed": seed, "run": run.id, "train_seconds": round(seconds),
                      "detections": scores}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("pretrain", "train"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--preset", default="bench-ucf")
    parser.add_argument("--seed", type=int, default=100, help="world seed (pretrain: default 100)")
    parser.add_argument("--epochs", type=int, default=None, help="pretrain: 20; train: 32, as the table")
    parser.add_argument("--variant", default="mil_max", help="a Table 1 variant (train)")
    parser.add_argument("--pretrained", type=Path, help="the pretrained checkpoint (train)")
    parser.add_argument("--boxes", choices=sorted(PRETRAINING_BOXES), default="whole-frame",
                        help="pretrain: the boxes the video labels are copied onto")
    args = parser.parse_args()
    if args.step == "pretrain":
        pretrain(args.out, args.preset, args.seed, args.epochs or 20, args.boxes)
    else:
        if args.pretrained is None:
            parser.error("train needs --pretrained")
        train_variant(args.out, args.preset, args.seed, args.variant, args.pretrained, args.epochs or 32)


if __name__ == "__main__":
    main()
