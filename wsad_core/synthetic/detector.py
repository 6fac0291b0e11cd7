"""A simulated person detector: what a COCO detector would give on these figures, roughly.

Each person (actor or bystander) is found or lost by a two-state Markov chain
whose stationary probability of "found" is the recall and whose lost runs last
``dropout_frames`` frames on average, so tracks break the way real detections do.
Found boxes are jittered and scored high-ish; false positives are short-lived boxes
on the background, born at a rate that makes the expected precision the one asked
for (counting a jittered true box as correct, which IoU >= 0.5 nearly always does).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wsad_core.synthetic.scene import VideoScene

_FP_LIFETIME = 5.0  # mean frames a false positive persists
_FP_MAX_IOU = 0.3  # false positives stay this far from every person
_TRUE_SCORE = (0.8, 0.12)
_FALSE_SCORE = (0.5, 0.15)


@dataclass(frozen=True)
class Detection:
    """One detected box (pixels, edge coordinates); ``person_id`` is ``None`` for a false positive."""

    frame: int
    box: tuple[float, float, float, float]
    score: float
    person_id: int | None


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` (N, 4) against ``b`` (M, 4), as an (N, M) array."""
    a, b = np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4)
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _clip(box: np.ndarray, width: int, height: int) -> tuple[float, float, float, float] | None:
    x1, x2 = np.clip(box[[0, 2]], 0, width)
    y1, y2 = np.clip(box[[1, 3]], 0, height)
    if x2 - x1 < 1 or y2 - y1 < 1:
        return None
    return (float(x1), float(y1), float(x2), float(y2))


def _score(rng: np.random.Generator, mean_sd: tuple[float, float]) -> float:
    return float(np.clip(rng.normal(*mean_sd), 0.05, 0.999))


def _found_states(rng: np.random.Generator, frames: int, recall: float, dropout: float) -> np.ndarray:
    if recall >= 1.0:
        return np.ones(frames, dtype=bool)
    to_found = min(1.0, 1.0 / dropout)
    to_lost = min(1.0, to_found * (1.0 - recall) / recall)
    states = np.empty(frames, dtype=bool)
    state = rng.random() < recall
    for frame in range(frames):
        states[frame] = state
        state = rng.random() >= to_lost if state else rng.random() < to_found
    return states


def _true_detections(
    scene: VideoScene, rng: np.random.Generator, people: Sequence[int], recall: float, jitter: float, dropout: float
) -> list[Detection]:
    found_runs = [_found_states(rng, scene.nframes, recall, dropout) for _ in people]
    detections = []
    for frame in range(scene.nframes):
        for person, found in zip(people, found_runs):
            box = scene.boxes[frame, person]
            if np.isnan(box[0]) or not found[frame]:
                continue
            w, h = box[2] - box[0], box[3] - box[1]
            cx = (box[0] + box[2]) / 2 + rng.normal(0, jitter) * w
            cy = (box[1] + box[3]) / 2 + rng.normal(0, jitter) * h
            w, h = w * math.exp(rng.normal(0, jitter)), h * math.exp(rng.normal(0, jitter))
            clipped = _clip(np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]), scene.width, scene.height)
            if clipped is not None:
                detections.append(Detection(frame, clipped, _score(rng, _TRUE_SCORE), person))
    return detections


def _false_box(rng: np.random.Generator, scene: VideoScene, people: np.ndarray) -> np.ndarray | None:
    """A person-shaped box on the background; ``None`` if ten tries all hit a person."""
    for _ in range(10):
        h = rng.uniform(0.3, 0.8) * scene.height
        w = h * rng.uniform(0.25, 0.6)
        x1, y1 = rng.uniform(-0.2 * w, scene.width - 0.8 * w), rng.uniform(0, scene.height - 0.8 * h)
        box = np.array([x1, y1, x1 + w, y1 + h])
        if len(people) == 0 or box_iou(box, people).max() < _FP_MAX_IOU:
            return box
    return None


def _false_detections(scene: VideoScene, rng: np.random.Generator, rate: float) -> list[Detection]:
    """False positives alive ``rate`` at a time on average, each drifting for a few frames."""
    detections = []
    alive: list[np.ndarray] = []
    births = rate / _FP_LIFETIME
    for frame in range(scene.nframes):
        people = scene.boxes[frame][~np.isnan(scene.boxes[frame, :, 0])]
        alive = [box for box in alive if rng.random() >= 1.0 / _FP_LIFETIME]
        new = rng.poisson(rate if frame == 0 else births)
        alive += [box for box in (_false_box(rng, scene, people) for _ in range(new)) if box is not None]
        moved = []
        for box in alive:
            box = box + np.repeat(rng.normal(0, 0.01 * (box[3] - box[1]), 2), 2)[[0, 2, 1, 3]]
            clipped = _clip(box, scene.width, scene.height)
            if clipped is not None:
                detections.append(Detection(frame, clipped, _score(rng, _FALSE_SCORE), None))
                moved.append(box)
        alive = moved
    return detections


def simulate_detections(
    scene: VideoScene,
    rng: np.random.Generator,
    *,
    recall: float = 0.7,
    precision: float = 0.5,
    jitter: float = 0.04,
    dropout_frames: float = 4.0,
    actors_only: bool = False,
) -> list[Detection]:
    """Detections for every frame of ``scene``, sorted by frame then score (highest first).

    ``actors_only`` models a detector fine-tuned on a data set's person annotations, which
    learns not to fire on the people its annotators left out: bystanders are never found,
    and ``recall`` and ``precision`` are over the actors. (The paper trains on a COCO
    detector's tubelets but evaluates UCF101-24 on Chéron et al.'s detector fine-tuned on
    UCF101-24, section 4.2.)
    """
    people = [p for p, figure in enumerate(scene.figures) if not (actors_only and figure.bystander)]
    found = _true_detections(scene, rng, people, recall, jitter, dropout_frames)
    visible_per_frame = float(scene.visible[:, people].sum()) / scene.nframes
    rate = visible_per_frame * recall * (1.0 - precision) / precision
    detections = found + _false_detections(scene, rng, rate)
    return sorted(detections, key=lambda d: (d.frame, -d.score))
