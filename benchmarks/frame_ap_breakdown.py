"""Where a run's test Frame AP goes: the actors, the bystanders, or the background.

The reproduction evaluates every run on the world's simulated detector, which finds
bystanders as well as actors (precision 0.5 counts them as false positives) and adds boxes
on the background. The paper evaluates UCF101-24 on a detector fine-tuned on UCF101-24's
ground truth (Chéron et al.'s, section 4.2), which learned not to fire on the people the
annotators left out. A weakly supervised model is never told that a bystander in a positive
video is not acting, a fully supervised one is, so the two protocols need not rank the
variants alike.

This script reads a run's stored test predictions (no model is run) and classifies each
keyframe detection by the ground truth of the same frame: **actor** (IoU >= 0.5 with a
labelled box), **bystander** (else IoU >= 0.5 with any person of ``gt_person_boxes.csv``),
**background** (neither). It then reports Frame AP three ways:

- as evaluated (every detection);
- without bystander detections: a detector that never fires on unlabelled people, with the
  same recall on actors and the same background boxes (the paper's evaluation detector);
- actors only: localisation given, what is left is classification;

and, per kind, how many detections there are and their mean top class score, plus the share
of actor detections whose top class is their action.

Usage: python benchmarks/frame_ap_breakdown.py --out bench-out/rep --seed 2 --run 1 [--run 2 ...]
       [--preset bench-ucf]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wsad_core.evaluate.ava_io import AvaArrays
from wsad_core.evaluate.frame_ap import frame_ap
from wsad_core.evaluate.run_detections import keyframe_rows, label_ids
from wsad_core.formats import AvaRow, read_ava_csv
from wsad_core.infer.predict import select_videos
from wsad_core.project import Project
from wsad_core.project.ground_truth import ground_truth_rows
from wsad_core.reproduce.worlds import seed_world
from wsad_core.synthetic.detector import box_iou

KINDS = ("actor", "bystander", "background")
MATCH_IOU = 0.5


def _by_frame(rows: Sequence[AvaRow]) -> dict[tuple[str, float], list[AvaRow]]:
    grouped: dict[tuple[str, float], list[AvaRow]] = defaultdict(list)
    for row in rows:
        if row.box is not None:
            grouped[(row.video_id, round(row.timestamp, 3))].append(row)
    return grouped


def _best_iou(box: tuple[float, ...], others: Sequence[AvaRow]) -> float:
    if not others:
        return 0.0
    return float(box_iou(np.array(box), np.array([o.box for o in others])).max())


def classify(
    detections: Sequence[AvaRow], gt: Sequence[AvaRow], people: Sequence[AvaRow]
) -> dict[tuple[str, float, tuple[float, ...]], str]:
    """The kind of each detected box, keyed by (video, time, box)."""
    gt_at, people_at = _by_frame(gt), _by_frame(people)
    kinds: dict[tuple[str, float, tuple[float, ...]], str] = {}
    for row in detections:
        key = (row.video_id, round(row.timestamp, 3), row.box)
        if key in kinds:
            continue
        frame = key[:2]
        if _best_iou(row.box, gt_at.get(frame, [])) >= MATCH_IOU:
            kinds[key] = "actor"
        elif _best_iou(row.box, people_at.get(frame, [])) >= MATCH_IOU:
            kinds[key] = "bystander"
        else:
            kinds[key] = "background"
    return kinds


def _map(gt: Sequence[AvaRow], detections: Sequence[AvaRow], classes: list[int]) -> float:
    return frame_ap(AvaArrays.from_rows(list(gt)), AvaArrays.from_rows(list(detections)), classes).map


def breakdown(project: Project, run: str, people: Sequence[AvaRow]) -> dict[str, object]:
    """Frame AP of ``run`` on the test split three ways, and score statistics per kind."""
    videos = select_videos(project, "test")
    predictions = project.predictions(run)
    with project.reading() as session:
        gt = ground_truth_rows(session, video_ids=[v.id for v in videos])
    names = {v.name for v in videos} & {row.video_id for row in gt}
    ids = label_ids(project, predictions.labels)
    classes = list(ids.values())
    detections = keyframe_rows(predictions, ids, sorted(names))
    kinds = classify(detections, gt, [p for p in people if p.video_id in names])
    kind_of = [kinds[(row.video_id, round(row.timestamp, 3), row.box)] for row in detections]

    scores: dict[tuple[str, float, tuple[float, ...]], dict[int, float]] = defaultdict(dict)
    for row in detections:
        scores[(row.video_id, round(row.timestamp, 3), row.box)][row.action_id] = row.score
    gt_at = _by_frame(gt)
    per_kind = {}
    for kind in KINDS:
        boxes = [key for key, k in kinds.items() if k == kind]
        top = [max(scores[key].values()) for key in boxes]
        per_kind[kind] = {"boxes": len(boxes), "mean_top_score": float(np.mean(top)) if top else float("nan")}
    actor_boxes = [key for key, k in kinds.items() if k == "actor"]
    right = sum(_top_class(scores[key]) in _matched_actions(key, gt_at) for key in actor_boxes)
    return {
        "all": _map(gt, detections, classes),
        "no_bystanders": _map(gt, [r for r, k in zip(detections, kind_of) if k != "bystander"], classes),
        "actors_only": _map(gt, [r for r, k in zip(detections, kind_of) if k == "actor"], classes),
        "kinds": per_kind,
        "actor_top1": right / len(actor_boxes) if actor_boxes else float("nan"),
    }


def _top_class(scores: dict[int, float]) -> int:
    return max(scores, key=scores.__getitem__)


def _matched_actions(key: tuple[str, float, tuple[float, ...]], gt_at: dict) -> set[int]:
    """Actions of the ground-truth box that the detection ``key`` overlaps most."""
    rows = gt_at.get(key[:2], [])
    if not rows:
        return set()
    best = rows[int(box_iou(np.array(key[2]), np.array([r.box for r in rows]))[0].argmax())].box
    return {r.action_id for r in rows if r.box == best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="a reproduction's folder")
    parser.add_argument("--seed", type=int, required=True, help="world seed")
    parser.add_argument("--run", action="append", required=True, help="run id or name (repeatable)")
    parser.add_argument("--preset", default="bench-ucf")
    args = parser.parse_args()

    world = seed_world(args.out, args.preset, args.seed)
    project = Project.open(world.main_dir)
    people = read_ava_csv(world.manifest.path("gt_person_boxes"), kind="boxes")
    print(f"world {args.preset} seed {args.seed}, test split; Frame AP at IoU 0.5")
    print("| run | as evaluated | without bystanders | actors only | actor top-1 | "
          "boxes actor/bystander/background | mean top score actor/bystander/background |")
    print("|---|---|---|---|---|---|---|")
    for run in args.run:
        name = project.run(run).name
        b = breakdown(project, run, people)
        kinds = b["kinds"]
        counts = "/".join(str(kinds[k]["boxes"]) for k in KINDS)
        tops = "/".join(f"{kinds[k]['mean_top_score']:.2f}" for k in KINDS)
        print(f"| {name} | {b['all']:.3f} | {b['no_bystanders']:.3f} | {b['actors_only']:.3f} | "
              f"{b['actor_top1']:.2f} | {counts} | {tops} |")


if __name__ == "__main__":
    main()
