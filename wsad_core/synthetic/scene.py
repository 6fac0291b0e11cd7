"""One simulated video: its figures, their poses, boxes and actions in every frame.

Nothing here draws pixels except to measure boxes: :mod:`render` turns a
:class:`VideoScene` into frames, :mod:`export` into annotation files.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass, field, replace

import numpy as np

from wsad_core.synthetic.actions import ACTION_IDS, ACTIONS
from wsad_core.synthetic.config import WorldConfig
from wsad_core.synthetic.figure import figure_geometry, geometry_box
from wsad_core.synthetic.pose import NEUTRAL, PartialPose, Pose, compose
from wsad_core.synthetic.timeline import PlacedClip, plan_actor

_BYSTANDER_DRIFT = 0.08  # figure heights per second, at most
_SWAY = 0.012  # figure heights


@dataclass
class Figure:
    """One person of a video. ``x`` is the body axis per frame (pixels); ``segments``
    are the labelled actions as ``(name, start, end)`` frames, ``end`` exclusive."""

    person_id: int
    bystander: bool
    color: tuple[int, int, int]
    height: float
    ground: float
    depth: float
    x: np.ndarray
    poses: list[Pose]
    segments: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass
class VideoScene:
    """Ground truth of one video.

    ``boxes[f, p]`` is person ``p``'s box ``x1, y1, x2, y2`` in pixels at frame ``f``
    (edge coordinates): exactly around the figure's pixels inside the frame, so a
    figure partly outside gets the box of its visible part, and NaN where none shows.
    ``actions[f, p, k]`` says person ``p`` performs ``ACTIONS[k]`` at frame ``f``,
    whether or not it is in the picture; :meth:`labels` keeps only visible people.
    """

    video_id: str
    width: int
    height: int
    fps: int
    nframes: int
    classes: tuple[str, ...]
    figures: list[Figure]
    boxes: np.ndarray
    actions: np.ndarray
    render_seed: int = 0
    noise: float = 0.0

    @property
    def duration(self) -> float:
        return self.nframes / self.fps

    @property
    def visible(self) -> np.ndarray:
        """``(frames, people)`` bool: the person has a box in that frame."""
        return ~np.isnan(self.boxes[:, :, 0])

    def labels(self) -> np.ndarray:
        """``(frames, people, len(ACTIONS))`` bool: actions of people in the picture."""
        return self.actions & self.visible[:, :, None]

    def action_names(self, frame: int, person: int) -> tuple[str, ...]:
        """Names of the visible actions of ``person`` at ``frame``, in vocabulary order."""
        if np.isnan(self.boxes[frame, person, 0]):
            return ()
        return tuple(name for name, on in zip(ACTIONS, self.actions[frame, person]) if on)


def _colors(rng: np.random.Generator, count: int) -> list[tuple[int, int, int]]:
    """Bright, well separated colours; independent of what the figures do."""
    base = rng.uniform(0.0, 1.0)
    colors = []
    for index in range(count):
        hue = (base + index / count + rng.uniform(-0.05, 0.05)) % 1.0
        r, g, b = colorsys.hsv_to_rgb(hue, rng.uniform(0.75, 1.0), rng.uniform(0.85, 1.0))
        colors.append((round(r * 255), round(g * 255), round(b * 255)))
    return colors


def _poses(placed: list[PlacedClip], nframes: int) -> list[Pose]:
    parts: list[list[PartialPose]] = [[] for _ in range(nframes)]
    for item in placed:
        for offset, part in enumerate(item.clip.poses[: max(0, nframes - item.start)]):
            parts[item.start + offset].append(part)
    return [compose(frame_parts) if frame_parts else NEUTRAL for frame_parts in parts]


def _walk_offsets(placed: list[PlacedClip], nframes: int, figure_height: float) -> np.ndarray:
    velocity = np.zeros(nframes)
    for item in placed:
        if item.clip.velocity:
            velocity[item.start : min(item.end, nframes)] = item.clip.velocity * figure_height
    return np.concatenate([[0.0], np.cumsum(velocity)[:-1]])


def _in_slot(rng: np.random.Generator, slot: tuple[int, int], low: float, high: float) -> float:
    """A position in the middle 70 % of strip ``slot[0]`` of ``slot[1]`` strips of ``[low, high]``."""
    index, count = slot
    width = (high - low) / count
    return low + width * (index + rng.uniform(0.15, 0.85))


def _make_figure(
    rng: np.random.Generator,
    config: WorldConfig,
    nframes: int,
    person_id: int,
    bystander: bool,
    color: tuple[int, int, int],
    slot: tuple[int, int] = (0, 1),
) -> Figure:
    """One figure; ``slot = (i, n)`` puts its starting place in the i-th of n equal strips of
    the picture, so people start side by side and overlap only when they walk past each other."""
    depth = float(rng.uniform(0.0, 1.0))
    near, far = config.figure_height
    height = config.height * (near + (far - near) * depth)
    ground = config.height * (0.98 - 0.12 * depth)  # farther figures stand higher in the picture
    frames = np.arange(nframes)
    sway_period = rng.uniform(2.0, 4.0) * config.fps
    sway = _SWAY * height * np.sin(2 * math.pi * frames / sway_period + rng.uniform(0, 2 * math.pi))
    if bystander:
        x_start = _in_slot(rng, slot, 0.1, 0.9) * config.width
        drift = rng.uniform(-_BYSTANDER_DRIFT, _BYSTANDER_DRIFT) * height / config.fps
        x = x_start + drift * frames + sway
        return Figure(person_id, True, color, height, ground, depth, x, [NEUTRAL] * nframes)
    enter = int(rng.choice((-1, 1))) if rng.random() < config.enter_probability else 0
    if enter:
        # Just outside the picture: a standing figure is about 0.4 of its height wide.
        x_start = -0.4 * height if enter > 0 else config.width + 0.4 * height
    else:
        x_start = _in_slot(rng, slot, 0.15, 0.85) * config.width
    placed = plan_actor(rng, config, nframes, x_start=x_start, figure_height=height, enter_direction=enter)
    x = x_start + _walk_offsets(placed, nframes, height) + sway
    segments = [
        (item.clip.action, item.start, min(item.end, nframes))
        for item in placed
        if item.clip.action is not None and item.start < nframes
    ]
    return Figure(person_id, False, color, height, ground, depth, x, _poses(placed, nframes), segments)


def figure_box(figure: Figure, frame: int, width: int, height: int) -> tuple[float, float, float, float] | None:
    """Box of the figure's pixels inside a ``width`` x ``height`` picture at ``frame``,
    ``None`` when none of them is inside."""
    geometry = figure_geometry(figure.poses[frame], float(figure.x[frame]), figure.ground, figure.height)
    return geometry_box(geometry, (width, height))


def scene_from_figures(
    video_id: str, config: WorldConfig, nframes: int, figures: list[Figure], render_seed: int = 0
) -> VideoScene:
    """Measure boxes and collect actions of ``figures`` (also used to build scenes by hand)."""
    boxes = np.full((nframes, len(figures), 4), np.nan)
    actions = np.zeros((nframes, len(figures), len(ACTIONS)), dtype=bool)
    for index, figure in enumerate(figures):
        for frame in range(nframes):
            box = figure_box(figure, frame, config.width, config.height)
            if box is not None:
                boxes[frame, index] = box
        for name, start, end in figure.segments:
            actions[start:end, index, ACTION_IDS[name] - 1] = True
    return VideoScene(
        video_id, config.width, config.height, config.fps, nframes, tuple(config.classes),
        figures, boxes, actions, render_seed, config.noise,
    )


def simulate_video(config: WorldConfig, seed: int | np.random.Generator, video_id: str = "synth_0000") -> VideoScene:
    """Simulate one video of ``config``; the same seed (or generator state) gives the same scene."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    nframes = max(1, round(rng.uniform(*config.seconds) * config.fps))
    count = int(rng.integers(config.figures[0], config.figures[1] + 1))
    roles = [bool(rng.random() < config.bystander_probability) for _ in range(count)]
    if all(roles):
        roles[0] = False
    colors = _colors(rng, count)
    slots = rng.permutation(count)
    acting = config if config.video_classes is None else _video_config(config, rng)
    figures = [
        _make_figure(rng, acting, nframes, index, roles[index], colors[index], (int(slots[index]), count))
        for index in range(count)
    ]
    render_seed = int(rng.integers(0, 2**31 - 1))
    return scene_from_figures(video_id, config, nframes, figures, render_seed)


def _video_config(config: WorldConfig, rng: np.random.Generator) -> WorldConfig:
    """``config`` restricted to the ``video_classes`` classes this video draws (a crouch brings
    its stand-up); actors walk in from outside only where walk is one of them."""
    starters = [name for name in config.classes if name != "stand_up"]
    drawn = set(rng.choice(starters, size=config.video_classes, replace=False).tolist())
    if "crouch_down" in drawn:
        drawn.add("stand_up")
    classes = tuple(name for name in config.classes if name in drawn)
    enter = config.enter_probability if "walk" in drawn else 0.0
    return replace(config, classes=classes, enter_probability=enter, video_classes=None)
