"""Poses of the synthetic figures, as independent part groups.

A pose is split into groups that actions drive separately: the legs, each arm, a
vertical lift (jumps) and a width factor (spins). An action drives a subset of the
groups and leaves the others neutral, so two actions with disjoint groups can run
on one person at once (walk + wave), like AVA's multi-label actions.

Angles are radians measured from straight down, positive away from the body's
midline on that side, so the left and right limbs mirror each other: a thigh
angle of 0.5 on both legs spreads them, which a walk uses to swing them in
opposite directions in the picture.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

PART_GROUPS: tuple[str, ...] = ("legs", "left_arm", "right_arm", "lift", "width")

# Neutral: arms hanging slightly away from the torso, legs slightly apart.
NEUTRAL_ARM: tuple[float, float] = (0.15, 0.08)
NEUTRAL_LEG: float = 0.06

PartialPose = Mapping[str, Any]


@dataclass(frozen=True)
class Pose:
    """Pose of one figure.

    ``legs`` is (left thigh, left shin, right thigh, right shin); each arm is
    (upper arm, forearm); all are absolute angles as described in the module.
    ``lift`` raises the whole body, in units of the figure's height; ``width``
    scales every horizontal offset from the body's axis (``cos`` of the turn
    angle in a spin, negative when the figure faces away).
    """

    legs: tuple[float, float, float, float] = (NEUTRAL_LEG,) * 4
    left_arm: tuple[float, float] = NEUTRAL_ARM
    right_arm: tuple[float, float] = NEUTRAL_ARM
    lift: float = 0.0
    width: float = 1.0

    def vector(self) -> np.ndarray:
        """All values as one float vector, for comparing poses."""
        return np.array([*self.legs, *self.left_arm, *self.right_arm, self.lift, self.width])


NEUTRAL = Pose()


def compose(parts: Iterable[PartialPose]) -> Pose:
    """The neutral pose with each partial pose's groups replaced.

    Raises ``ValueError`` when two partial poses drive the same group, which the
    timeline must never schedule.
    """
    values: dict[str, Any] = {}
    for part in parts:
        for group, value in part.items():
            if group not in PART_GROUPS:
                raise ValueError(f"unknown part group {group!r}")
            if group in values:
                raise ValueError(f"part group {group!r} is driven by two actions at once")
            values[group] = value
    return dataclasses.replace(NEUTRAL, **values) if values else NEUTRAL


def pose_distance(a: Pose, b: Pose) -> float:
    """Largest difference between any two corresponding values of the poses."""
    return float(np.max(np.abs(a.vector() - b.vector())))
