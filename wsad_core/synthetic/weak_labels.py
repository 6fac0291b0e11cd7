"""Clip-level (weak) labels of a simulated video for any sub-clip duration, as in the
paper's Table 4: a clip is labelled with every action anyone visible does in it."""

from __future__ import annotations

import math

from wsad_core.formats import ClipLabelRow
from wsad_core.synthetic.actions import ACTIONS
from wsad_core.synthetic.scene import VideoScene

WeakLabel = tuple[float, float, tuple[str, ...]]


def weak_labels(scene: VideoScene, seconds: float | None = None) -> list[WeakLabel]:
    """``(start, end, sorted label names)`` for consecutive cells of ``seconds`` anchored
    at 0 (the last one shorter); ``None`` gives one cell for the whole video.

    Frame ``f`` (at time ``f / fps``) belongs to the cell holding that time; a cell's
    labels are the union over its frames of the actions of all people in the picture.
    """
    duration = scene.duration
    if seconds is None or seconds >= duration:
        seconds = duration
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    cells = max(1, math.ceil(duration / seconds - 1e-9))
    present = scene.labels().any(axis=1)
    result: list[WeakLabel] = []
    for cell in range(cells):
        start, end = cell * seconds, min((cell + 1) * seconds, duration)
        first = math.ceil(start * scene.fps - 1e-9)
        last = math.ceil(end * scene.fps - 1e-9) if cell < cells - 1 else scene.nframes
        active = present[first:last].any(axis=0)
        names = sorted(name for name, on in zip(ACTIONS, active) if on)
        result.append((round(start, 6), round(end, 6), tuple(names)))
    return result


def weak_label_rows(scene: VideoScene, seconds: float | None = None) -> list[ClipLabelRow]:
    """:func:`weak_labels` as rows of the project's clip-label CSV."""
    return [ClipLabelRow(scene.video_id, start, end, names) for start, end, names in weak_labels(scene, seconds)]
