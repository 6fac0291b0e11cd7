"""How often a training bag holds a witness of its labels, on a synthetic world.

MIL learns a class from the bags labelled with it only when the tubelets sampled into such
a bag include one on a person doing that action (a *witness*); otherwise the max (or mean)
pools noise towards a positive target. This script measures, on the world's training split
and its simulated detections, for sub-clip durations (the paper's Table 4) and bag sizes M
(Table 2):

- witness rate: the share of (bag, label) pairs whose sampled tubelets include a witness,
  averaged over epochs' draws (with ``BagSampler``, as training draws);
- witness share: among all tubelets of positive bags, the share that witnesses the label
  (what the naive baseline's per-tubelet labels get right).

A tubelet witnesses class c when its centre box overlaps, at IoU >= 0.5, a visible person
whose actions include c at that frame (the world's every-frame ground truth).

Usage: python benchmarks/bag_witnesses.py [--out bench-out/reproduce] [--preset bench] [--seed 0]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from wsad_core.detect.coverage import choose_detection_set
from wsad_core.mil.bags import BagSampler, ClipSpan, make_bags
from wsad_core.project import Project
from wsad_core.reproduce.plan import REFERENCE_VIDEO_SECONDS, scaled_subclip_seconds
from wsad_core.reproduce.worlds import seed_world
from wsad_core.synthetic.actions import ACTIONS
from wsad_core.synthetic.weak_labels import weak_labels
from wsad_core.tubes.iou import box_iou
from wsad_core.tubes.project_tubelets import TubeletConfig, project_tubelets


def witnesses(scene, labels: np.ndarray, tubelet, label: str) -> bool:  # noqa: ANN001 - VideoScene, Tubelet
    """``labels``: the scene's ``labels()`` (frames, people, classes), computed once per video."""
    frame = tubelet.centre_frame
    doing = labels[frame][:, ACTIONS.index(label)]
    if not doing.any():
        return False
    scale = np.array([scene.width, scene.height, scene.width, scene.height], dtype=np.float64)
    people = scene.boxes[frame][doing] / scale
    return bool((box_iou(tubelet.centre_box[None], people) >= 0.5).any())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out/reproduce"), help="a reproduction's folder")
    parser.add_argument("--preset", default="bench")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", default="1,4,8,16", help="tubelets per bag (M) to measure")
    parser.add_argument("--seconds", default="1,2,5,video", help="reference sub-clip seconds (video: whole)")
    parser.add_argument("--epochs", type=int, default=4, help="draws per bag to average over")
    args = parser.parse_args()

    world = seed_world(args.out, args.preset, args.seed)
    detections = world.ensure_main()
    scenes = {scene.video_id: scene for scene in world.scenes()}
    scene_labels = {video: scene.labels() for video, scene in scenes.items()}
    train = {video.video_id for video in world.manifest.videos if video.split == "train"}
    with Project.open(world.main_dir) as project:
        tubelets = project_tubelets(project, choose_detection_set(project, detections), TubeletConfig(k=16))
    sizes = [int(m) for m in args.sizes.split(",")]
    print(f"world {args.preset} seed {args.seed}: {len(train)} training videos, "
          f"{np.mean([len(tubelets.get(v, ())) for v in train]):.0f} tubelets a video; "
          f"sub-clip seconds scaled from {REFERENCE_VIDEO_SECONDS:g}-s videos to {world.mean_video_seconds:.2f}")
    print(f"| labels | bags | labels a bag | tubelets a bag | witness share | "
          + " | ".join(f"witness rate M={m}" for m in sizes) + " |")
    print("|---" * (5 + len(sizes)) + "|")
    for reference in args.seconds.split(","):
        seconds = None if reference == "video" else scaled_subclip_seconds(float(reference), world.mean_video_seconds)
        cells = [(video, cell) for video in sorted(train) for cell in weak_labels(scenes[video], seconds)]
        clips = [ClipSpan(i, video, start, end, scenes[video].fps, labels)
                 for i, (video, (start, end, labels)) in enumerate(cells)]
        bags = [bag for bag in make_bags(clips, tubelets) if bag.labels and bag.tubelets]
        pairs = [(bag, label) for bag in bags for label in bag.labels]
        known = {(bag.clip_id, t.track_id, t.centre_frame, label): witnesses(scenes[bag.video], scene_labels[bag.video], t, label)
                 for bag, label in pairs for t in bag.tubelets}
        share = np.mean([known[(bag.clip_id, t.track_id, t.centre_frame, label)]
                         for bag, label in pairs for t in bag.tubelets])
        rates = []
        for m in sizes:
            sampler = BagSampler(m, seed=0)
            hits = [
                any(known[(bag.clip_id, t.track_id, t.centre_frame, label)]
                    for t in sampler.sample(bag, epoch=epoch, index=index))
                for epoch in range(args.epochs)
                for index, bag in enumerate(bags)
                for label in bag.labels
            ]
            rates.append(float(np.mean(hits)))
        name = "whole video" if seconds is None else f"{reference} s ({seconds:g} s)"
        print(f"| {name} | {len(bags)} | {np.mean([len(b.labels) for b in bags]):.2f} | "
              f"{np.mean([len(b.tubelets) for b in bags]):.1f} | {share:.3f} | "
              + " | ".join(f"{rate:.3f}" for rate in rates) + " |")


if __name__ == "__main__":
    main()
