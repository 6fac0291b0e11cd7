"""Pixels of a simulated video: a cluttered static background, the figures in depth order,
and camera noise."""

from __future__ import annotations

import colorsys
from collections.abc import Iterator

import cv2
import numpy as np

from wsad_core.synthetic.figure import draw_figure, figure_geometry
from wsad_core.synthetic.scene import VideoScene

_FLICKER = 0.03  # relative brightness change of the whole picture


def _muted(rng: np.random.Generator, saturation: tuple[float, float], value: tuple[float, float]) -> tuple[int, ...]:
    r, g, b = colorsys.hsv_to_rgb(rng.uniform(0, 1), rng.uniform(*saturation), rng.uniform(*value))
    return (round(r * 255), round(g * 255), round(b * 255))


def make_background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A textured, cluttered RGB background: blotchy colour, a darker floor, and muted
    shapes (some thin and straight, like limbs) that a detector can mistake for people."""
    image = np.empty((height, width, 3), np.float32)
    image[:] = _muted(rng, (0.1, 0.35), (0.35, 0.6))
    blotches = rng.normal(0.0, 22.0, size=(max(2, height // 12), max(2, width // 12), 3)).astype(np.float32)
    image += cv2.resize(blotches, (width, height), interpolation=cv2.INTER_CUBIC)
    floor = int(height * rng.uniform(0.55, 0.75))
    image[floor:] *= 0.8
    canvas = np.clip(image, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(8, 20))):
        color = _muted(rng, (0.05, 0.4), (0.2, 0.75))
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        kind = rng.integers(0, 3)
        if kind == 0:
            w, h = int(rng.integers(4, width // 3)), int(rng.integers(4, height // 3))
            cv2.rectangle(canvas, (x, y), (x + w, y + h), color, -1)
        elif kind == 1:
            axes = (int(rng.integers(3, width // 6)), int(rng.integers(3, height // 6)))
            cv2.ellipse(canvas, (x, y), axes, float(rng.uniform(0, 180)), 0, 360, color, -1)
        else:
            end = (x + int(rng.integers(-height // 3, height // 3)), y + int(rng.integers(-height // 3, height // 3)))
            cv2.line(canvas, (x, y), end, color, int(rng.integers(2, 5)))
    grain = rng.normal(0.0, 5.0, size=canvas.shape)
    return np.clip(canvas + grain, 0, 255).astype(np.uint8)


def draw_scene_frame(image: np.ndarray, scene: VideoScene, frame: int) -> None:
    """Draw every figure of ``frame`` into ``image``, the farthest first so near ones occlude."""
    for figure in sorted(scene.figures, key=lambda f: (-f.depth, f.person_id)):
        geometry = figure_geometry(figure.poses[frame], float(figure.x[frame]), figure.ground, figure.height)
        draw_figure(image, geometry, figure.color)


def render_frames(scene: VideoScene) -> Iterator[np.ndarray]:
    """Yield the video's frames as HxWx3 uint8 RGB arrays, the same for the same scene."""
    rng = np.random.default_rng(scene.render_seed)
    background = make_background(rng, scene.width, scene.height)
    flicker_period = rng.uniform(3.0, 6.0) * scene.fps
    for frame in range(scene.nframes):
        image = background.copy()
        draw_scene_frame(image, scene, frame)
        gain = 1.0 + _FLICKER * np.sin(2 * np.pi * frame / flicker_period)
        noise = rng.standard_normal(image.shape, dtype=np.float32) * np.float32(scene.noise)
        yield np.clip(image * np.float32(gain) + noise, 0, 255).astype(np.uint8)
