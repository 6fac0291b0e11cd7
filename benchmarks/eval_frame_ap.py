"""Seconds to read and evaluate AVA frame AP on generated files the size of a tenth of AVA v2.2 val.

Usage: python benchmarks/eval_frame_ap.py [--videos 6] [--keyframes 897] [--people 4] [--repeats 3]

Ground truth: ``videos`` × ``keyframes`` keyframes, 1-4 people each (≈ 2.5), each doing 1-3
of the 60 evaluated actions. Detections: every person's box, jittered, scored for all 80
AVA actions (true actions score higher), plus one spurious box on some keyframes: ≈ 1 M
rows. The evaluation (``evaluate_frame_ap_files``: read + evaluate, cap 50) is timed on
that and on twice as many videos, to show how it scales.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from wsad_core.evaluate import evaluate_frame_ap_files
from wsad_core.formats import builtin_label_map, write_label_map

ALL_ACTIONS = np.arange(1, 81)


def generate(
    folder: Path, videos: int, keyframes: int, max_people: int, seed: int
) -> tuple[Path, Path, Path, int]:
    """Write label map, ground truth and detections; returns their paths and the detection rows."""
    rng = np.random.default_rng(seed)
    evaluated = np.array(sorted(entry.id for entry in builtin_label_map("ava-v2.2-eval")))
    label_map = folder / "labels.pbtxt"
    write_label_map(builtin_label_map("ava-v2.2-eval"), label_map)
    gt_lines: list[str] = []
    det_lines: list[str] = []
    for v in range(videos):
        video_id = f"vid{v:08d}"
        for t in range(902, 902 + keyframes):
            people = int(rng.integers(1, max_people + 1))
            corner = rng.uniform(0.0, 0.6, size=(people, 2))
            size = rng.uniform(0.15, 0.4, size=(people, 2))
            boxes = np.clip(np.concatenate([corner, corner + size], axis=1), 0.0, 1.0)
            for p in range(people):
                actions = rng.choice(evaluated, size=int(rng.integers(1, 4)), replace=False)
                x1, y1, x2, y2 = boxes[p]
                gt_lines.extend(f"{video_id},{t:04d},{x1:.3f},{y1:.3f},{x2:.3f},{y2:.3f},{a},{p}" for a in actions)
                jitter = boxes[p] + rng.normal(0.0, 0.02, size=4)
                dx1, dy1, dx2, dy2 = np.clip(jitter, 0.0, 1.0)
                scores = rng.uniform(0.0, 0.6, size=80)
                scores[actions - 1] += rng.uniform(0.0, 0.5, size=actions.size)
                lo_x, hi_x, lo_y, hi_y = min(dx1, dx2), max(dx1, dx2), min(dy1, dy2), max(dy1, dy2)
                head = f"{video_id},{t:04d},{lo_x:.3f},{lo_y:.3f},{hi_x:.3f},{hi_y:.3f}"
                det_lines.extend(f"{head},{a},{s:.4f}" for a, s in zip(ALL_ACTIONS, scores))
    gt_path, det_path = folder / "gt.csv", folder / "det.csv"
    gt_path.write_text("\n".join(gt_lines) + "\n")
    det_path.write_text("\n".join(det_lines) + "\n")
    return label_map, gt_path, det_path, len(det_lines)


def run(videos: int, keyframes: int, max_people: int, seed: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        label_map, gt, det, rows = generate(Path(scratch), videos, keyframes, max_people, seed)
        evaluate_frame_ap_files(label_map, gt, det)  # warm-up: imports, page cache
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            result = evaluate_frame_ap_files(label_map, gt, det)
            times.append(time.perf_counter() - started)
        seconds = min(times)
    print(
        f"{videos} videos × {keyframes} keyframes: {rows:,} detection rows, {result.n_gt:,} GT boxes, "
        f"{result.n_det:,} ranked detections: {seconds:.2f} s (best of {repeats}), mAP {result.map:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=6)
    parser.add_argument("--keyframes", type=int, default=897)
    parser.add_argument("--people", type=int, default=4, help="at most this many people per keyframe")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="report the fastest of this many runs")
    args = parser.parse_args()
    run(args.videos, args.keyframes, args.people, args.seed, args.repeats)
    run(2 * args.videos, args.keyframes, args.people, args.seed, args.repeats)


if __name__ == "__main__":
    main()
