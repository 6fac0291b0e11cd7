"""What a trained MIL run's uncertainty head does on its own training bags.

The uncertainty loss of section 3.3 is ``BCE / σ² + log σ²`` with ``v = log σ² ≥ 0``
(softplus), so for one (bag, class) its optimum is ``σ² = max(1, BCE)``: the head can only
discount a bag whose cross-entropy is above one nat, and only by predicting a large σ² for
the tubelet that the max selected, from that tubelet's features alone. This script scores
every tubelet of a run's training bags with the run's last checkpoint and replays the
training draws (``BagSampler``, as the engine draws, several epochs), then reports per kind
of (draw, class) pair:

- positive with a witness among the drawn tubelets (a tubelet on a person doing the action,
  see ``bag_witnesses.py``), positive without one (label noise the loss should discount),
  and negative;
- their cross-entropy at the max, how often it is above one nat (where discounting pays),
  and the σ² the head gives the selected tubelet (mean, share above 1.1);
- in positive draws holding both witnesses and other tubelets, how often the max picks a
  witness: the share of MIL's gradient that goes to the right person (any run, not only
  those with the uncertainty head).

It also prints the σ² the loss would choose per tubelet when the same tubelet is selected in
positive and negative draws alike: ``max(1, mean BCE)`` over the pairs of each (tubelet,
class). The head sees no bag, so this is the most it can learn.

Usage: python benchmarks/uncertainty_diagnosis.py --out bench-out/ucf9b --run 1
       [--preset bench-ucf] [--seed 0] [--epochs 8]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np

from bag_witnesses import witnesses
from wsad_core.detect.coverage import choose_detection_set
from wsad_core.infer.score import FrameInstance, load_run_model, score_instances
from wsad_core.mil.bags import BagSampler
from wsad_core.mil.project_bags import project_bags
from wsad_core.project import Project
from wsad_core.reproduce.worlds import seed_world
from wsad_core.train.setup import load_snapshot
from wsad_core.tubes.project_tubelets import TubeletConfig, project_tubelets

KINDS = ("positive, witness drawn", "positive, no witness drawn", "negative")


def _bce(p: float, positive: bool) -> float:
    p = min(max(p, 1e-7), 1 - 1e-7)
    return float(-np.log(p) if positive else -np.log1p(-p))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="a reproduction's folder")
    parser.add_argument("--run", required=True, help="run id (or name) in the world's main project")
    parser.add_argument("--preset", default="bench-ucf")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=8, help="training draws to replay per bag")
    args = parser.parse_args()

    world = seed_world(args.out, args.preset, args.seed)
    scenes = {scene.video_id: scene for scene in world.scenes()}
    scene_labels = {video: scene.labels() for video, scene in scenes.items()}
    with Project.open(world.main_dir) as project:
        model, preset, labels, config = load_run_model(project, args.run)
        snapshot = load_snapshot(project.run_dir(args.run) / "snapshot.json")
        detection_set = choose_detection_set(project, snapshot["detection_set"])
        tubelets = project_tubelets(
            project, detection_set, TubeletConfig(k=config.data.tubelet_length, min_score=config.data.min_score)
        )
        bags = [bag for bag in project_bags(project, tubelets, split="train") if bag.tubelets and bag.labels]
        paths = {video.name: video.path for video in project.videos(status="ok")}
    instances = [FrameInstance(bag.video, t.centre_frame, t.track_id, t.centre_box) for bag in bags for t in bag.tubelets]
    scored = score_instances(model, preset, instances, paths, batch_size=16, frame_stride=config.data.frame_stride)
    by_key = {(s.instance.video, s.instance.frame, s.instance.track_id): s for s in scored}
    has_head = scored[0].variance is not None
    print(f"run {args.run} ({config.mode}, {config.loss} loss, {config.aggregation} pooling): "
          f"{len(bags)} training bags, {len(instances)} tubelets, {len(labels)} classes, "
          f"M = {config.data.tubelets_per_bag}, {args.epochs} draws a bag")

    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)  # kind -> (BCE, σ²) per (draw, class)
    picked_witness: list[bool] = []  # positive draws holding a witness: did the max pick one?
    witness_share: list[float] = []  # ... and what a random pick would have
    per_tubelet: dict[tuple, list[float]] = defaultdict(list)  # (video, frame, track, class) -> BCEs
    sampler = BagSampler(config.data.tubelets_per_bag, config.seed)
    for epoch in range(args.epochs):
        for index, bag in enumerate(bags):
            drawn = sampler.sample(bag, epoch=epoch, index=index)
            results = [by_key[(bag.video, t.centre_frame, t.track_id)] for t in drawn]
            probabilities = np.stack([r.probabilities for r in results])
            for c, label in enumerate(labels):
                chosen = int(np.argmax(probabilities[:, c]))
                positive = label in bag.labels
                bce = _bce(float(probabilities[chosen, c]), positive)
                variance = float(results[chosen].variance[c]) if has_head else 1.0
                if positive:
                    is_witness = [witnesses(scenes[bag.video], scene_labels[bag.video], t, label) for t in drawn]
                    kind = KINDS[0] if any(is_witness) else KINDS[1]
                    if any(is_witness) and not all(is_witness):
                        picked_witness.append(is_witness[chosen])
                        witness_share.append(float(np.mean(is_witness)))
                else:
                    kind = KINDS[2]
                rows[kind].append((bce, variance))
                tubelet = drawn[chosen]
                per_tubelet[(bag.video, tubelet.centre_frame, tubelet.track_id, c)].append(bce)

    print("| (draw, class) pairs | count | mean BCE | BCE > 1 nat | share of the loss | "
          "mean σ² | σ² > 1.1 | max σ² |")
    print("|---|---|---|---|---|---|---|---|")
    total = sum(b for pairs in rows.values() for b, _ in pairs)
    for kind in KINDS:
        pairs = np.array(rows[kind], dtype=np.float64).reshape(-1, 2)
        if not len(pairs):
            continue
        bce, variance = pairs[:, 0], pairs[:, 1]
        print(f"| {kind} | {len(pairs)} | {bce.mean():.3f} | {np.mean(bce > 1):.3f} | {bce.sum() / total:.3f} | "
              f"{variance.mean():.3f} | {np.mean(variance > 1.1):.3f} | {variance.max():.3f} |")
    if picked_witness:
        print(f"positive draws with witnesses and others: the max picks a witness in "
              f"{np.mean(picked_witness):.3f} of {len(picked_witness)} (a random pick: {np.mean(witness_share):.3f})")
    best = np.array([max(1.0, float(np.mean(values))) for values in per_tubelet.values()])
    print(f"σ² the loss would choose per selected (tubelet, class), max(1, mean BCE): "
          f"share above 1.1 {np.mean(best > 1.1):.3f}, mean {best.mean():.3f}, max {best.max():.3f} "
          f"({len(best)} tubelet-class pairs)")


if __name__ == "__main__":
    main()
