"""Tubelets per second linked into action tubes by ACT's greedy linking, on synthetic input.

Usage: python benchmarks/link_tubes.py [--videos 50] [--frames 300] [--people 4] [--classes 24] [--k 8]

Each video has ``people`` people walking on smooth random paths for ``frames`` frames, and a
K-frame tubelet starts on every frame of every person (dense, as ACT's detector gives):
``videos × (frames - K + 1) × people`` tubelets, each scored for all ``classes``. Every
person does one class most of the time (scores near 0.7), the others score low and noisy.
``link_video_tubes`` (all classes, DESIGN.md defaults) is timed on the whole set.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from wsad_core.tubes.action_tubes import ScoredTubelet
from wsad_core.tubes.linking import link_video_tubes


def generate(videos: int, frames: int, people: int, classes: int, k: int, seed: int) -> list[ScoredTubelet]:
    rng = np.random.default_rng(seed)
    tubelets: list[ScoredTubelet] = []
    for v in range(videos):
        name = f"video{v:03d}"
        for person in range(people):
            steps = rng.normal(0, 2.0, size=(frames, 2)).cumsum(axis=0)
            centre = np.array([80.0 + 150 * person, 180.0]) + steps
            size = np.array([60.0, 150.0]) * rng.uniform(0.8, 1.2)
            boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
            action = int(rng.integers(classes))
            for start in range(frames - k + 1):
                scores = rng.uniform(0, 0.1, classes)
                scores[action] = rng.uniform(0.5, 0.9)
                tubelets.append(
                    ScoredTubelet(
                        name, person, np.arange(start, start + k), boxes[start : start + k], scores,
                        rng.uniform(0.1, 1.0, classes),
                    )
                )
    return tubelets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=50)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--people", type=int, default=4)
    parser.add_argument("--classes", type=int, default=24)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    tubelets = generate(args.videos, args.frames, args.people, args.classes, args.k, args.seed)
    start = time.perf_counter()
    tubes = link_video_tubes(tubelets, args.classes)
    seconds = time.perf_counter() - start
    count = sum(len(t) for t in tubes.values())
    print(
        f"linked {len(tubelets):,} tubelets ({args.videos} videos x {args.frames} frames x {args.people} people, "
        f"K={args.k}) x {args.classes} classes into {count:,} tubes in {seconds:.2f} s: "
        f"{len(tubelets) / seconds:,.0f} tubelets/s ({len(tubelets) * args.classes / seconds:,.0f} tubelet-classes/s)"
    )


if __name__ == "__main__":
    main()
