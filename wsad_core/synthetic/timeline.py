"""What one acting figure does when: a sequence of actions with neutral gaps between them.

A primary lane holds one action (or crouch episode) at a time. With some
probability a secondary action whose part groups are disjoint from the primary's
runs inside it (walk + wave, crouch + clap, spin + kick), which is how one person
ends up with several labels at once. Only ``walk`` moves the figure, and it is
never secondary, so the figure's position is known while the lane is planned:
figures that drifted out of the picture tend to walk back in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wsad_core.synthetic.actions import ACTION_GROUPS, WALK_SPEED, ActionClip, episode
from wsad_core.synthetic.config import WorldConfig

_NOT_SECONDARY = ("walk", "crouch_down", "stand_up")
# Probability that a walk heads back towards the middle when the figure is near an edge.
_RETURN_PROBABILITY = 0.8
# A crouch episode labels two short classes; drawing it twice as often keeps them about as
# frequent as the others.
_START_WEIGHTS = {"crouch_down": 2.0}


@dataclass(frozen=True)
class PlacedClip:
    """An action clip starting at frame ``start`` of the video (it may run past the end)."""

    clip: ActionClip
    start: int

    @property
    def end(self) -> int:
        return self.start + self.clip.frames


def _uniform_frames(rng: np.random.Generator, seconds: tuple[float, float], fps: float) -> int:
    return round(rng.uniform(*seconds) * fps)


def _walk_direction(rng: np.random.Generator, x: float, frame_width: float) -> int:
    if x < 0.3 * frame_width and rng.random() < _RETURN_PROBABILITY:
        return 1
    if x > 0.7 * frame_width and rng.random() < _RETURN_PROBABILITY:
        return -1
    return int(rng.choice((-1, 1)))


def _secondary(
    rng: np.random.Generator, config: WorldConfig, busy: frozenset[str], span: int, start: int
) -> list[PlacedClip]:
    candidates = [
        name
        for name in config.classes
        if name not in _NOT_SECONDARY and not ACTION_GROUPS[name] & busy
    ]
    if not candidates:
        return []
    action = str(rng.choice(candidates))
    seconds = rng.uniform(0.4, 0.9) * span / config.fps
    clips = episode(action, rng, config.fps, seconds)
    length = sum(clip.frames for clip in clips)
    if length > span:
        return []
    offset = start + int(rng.integers(0, span - length + 1))
    return _sequence(clips, offset)


def _sequence(clips: list[ActionClip], start: int) -> list[PlacedClip]:
    placed = []
    for clip in clips:
        placed.append(PlacedClip(clip, start))
        start += clip.frames
    return placed


def plan_actor(
    rng: np.random.Generator,
    config: WorldConfig,
    nframes: int,
    *,
    x_start: float,
    figure_height: float,
    enter_direction: int = 0,
) -> list[PlacedClip]:
    """Plan the clips of one acting figure over ``nframes`` frames.

    ``enter_direction`` (+1 or -1) makes the figure start by walking into the
    picture from outside; 0 lets it start anywhere with a short neutral gap.
    """
    starters = [name for name in config.classes if name != "stand_up"]
    weights = np.array([_START_WEIGHTS.get(name, 1.0) for name in starters])
    weights /= weights.sum()
    fps = config.fps
    placed: list[PlacedClip] = []
    x = x_start
    t = 0 if enter_direction else _uniform_frames(rng, (0.0, config.gap_seconds[1]), fps)
    while t < nframes:
        if enter_direction and not placed:
            action, direction = "walk", enter_direction
            distance = abs(x_start - config.width / 2) * rng.uniform(0.5, 1.2)
            seconds = distance / (WALK_SPEED * figure_height)
        else:
            action = str(rng.choice(starters, p=weights))
            direction = _walk_direction(rng, x, config.width)
            seconds = rng.uniform(*config.action_seconds)
        clips = episode(action, rng, fps, seconds, direction)
        placed += _sequence(clips, t)
        span = sum(clip.frames for clip in clips)
        x += sum(clip.velocity * clip.frames for clip in clips) * figure_height
        if rng.random() < config.overlap_probability:
            busy = frozenset().union(*(clip.groups for clip in clips))
            placed += _secondary(rng, config, busy, span, t)
        t += span + _uniform_frames(rng, config.gap_seconds, fps)
    return placed
