"""Bags: the tubelets whose centre frame lies in a labelled clip, labelled with the clip's
label set (section 3.1 of the paper), and the uniform sub-sampling that makes them fit in
memory (section 3.2: M tubelets per bag per iteration)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wsad_core.tubes import Tubelet


@dataclass(frozen=True)
class ClipSpan:
    """A labelled clip as the bag builder needs it (seconds, and the video's frame rate)."""

    clip_id: int
    video: str
    start: float
    end: float
    fps: float
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Bag:
    clip_id: int
    video: str
    labels: tuple[str, ...]
    tubelets: tuple[Tubelet, ...]

    @property
    def empty(self) -> bool:
        return not self.tubelets


def make_bags(clips: Iterable[ClipSpan], tubelets: Mapping[str, Sequence[Tubelet]]) -> list[Bag]:
    """One bag per clip: the video's tubelets whose centre frame falls in [start, end)."""
    bags = []
    for clip in clips:
        first = int(np.ceil(clip.start * clip.fps - 1e-6))
        stop = int(np.ceil(clip.end * clip.fps - 1e-6))
        inside = tuple(t for t in tubelets.get(clip.video, ()) if first <= t.centre_frame < stop)
        bags.append(Bag(clip.clip_id, clip.video, clip.labels, inside))
    return bags


@dataclass(frozen=True)
class BagReport:
    bags: int
    empty_bags: int
    tubelets: int
    mean_tubelets: float
    max_tubelets: int


def bag_report(bags: Sequence[Bag]) -> BagReport:
    sizes = [len(bag.tubelets) for bag in bags]
    return BagReport(
        bags=len(bags),
        empty_bags=sum(size == 0 for size in sizes),
        tubelets=sum(sizes),
        mean_tubelets=float(np.mean(sizes)) if sizes else 0.0,
        max_tubelets=max(sizes, default=0),
    )


class BagSampler:
    """Draws up to ``m`` tubelets uniformly without replacement from a bag.

    The draw for (epoch, bag index) depends only on the seed, the epoch and the index, so a
    resumed run or another worker process draws the same instances.
    """

    def __init__(self, m: int = 4, seed: int = 0) -> None:
        if m < 1:
            raise ValueError(f"tubelets per bag must be at least 1, not {m}")
        self.m = m
        self.seed = seed

    def sample(self, bag: Bag, *, epoch: int, index: int) -> tuple[Tubelet, ...]:
        if len(bag.tubelets) <= self.m:
            return bag.tubelets
        rng = np.random.default_rng([self.seed, epoch, index])
        chosen = np.sort(rng.choice(len(bag.tubelets), size=self.m, replace=False))
        return tuple(bag.tubelets[i] for i in chosen)
