"""Drawing action tubes over a frame (Pillow), as MMAction2's spatio-temporal demo does.

Each person box gets its tube's colour (one per tube, stable over the video), the labels
and scores of the tubes on that person (tubes of several classes on one person, IoU > 0.7,
share one box) and its uncertainty: the outline fades as σ² grows (opacity
``0.35 + 0.65 / (1 + σ²)``), and a bar on the box's right edge fills with ``σ² / (1 + σ²)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from wsad_core.project.prediction_reader import TubeBox
from wsad_core.tubes.iou import paired_box_iou

PALETTE = (
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
    (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40),
)
SAME_PERSON_IOU = 0.7
MAX_LABELS = 3


def tube_colour(tube_index: int) -> tuple[int, int, int]:
    return PALETTE[tube_index % len(PALETTE)]


def confidence(uncertainty: float | None) -> float:
    """1 / (1 + σ²): 1 for a certain prediction, towards 0 as σ² grows (1 without σ²)."""
    return 1.0 if uncertainty is None else 1.0 / (1.0 + max(float(uncertainty), 0.0))


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size
        return ImageFont.load_default()


def group_boxes(boxes: Sequence[TubeBox]) -> list[list[TubeBox]]:
    """Tube boxes on the same person (IoU > 0.7 with the group's best), best tube first."""
    ordered = sorted(boxes, key=lambda b: -b.score)
    groups: list[list[TubeBox]] = []
    for box in ordered:
        for group in groups:
            if paired_box_iou(np.array([group[0].box]), np.array([box.box]))[0] > SAME_PERSON_IOU:
                group.append(box)
                break
        else:
            groups.append([box])
    return groups


def draw_tubes(frame: np.ndarray, boxes: Sequence[TubeBox]) -> np.ndarray:
    """A copy of the RGB ``frame`` with ``boxes`` drawn (see the module docstring)."""
    height, width = frame.shape[:2]
    base = Image.fromarray(frame).convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    font = _font(max(9, height // 22))
    line = max(1, round(min(width, height) / 120))
    for group in group_boxes(boxes):
        leader = group[0]
        colour = tube_colour(leader.tube_index)
        alpha = int(255 * (0.35 + 0.65 * confidence(leader.uncertainty)))
        x1, y1, x2, y2 = (float(v) for v in leader.box)
        x1, x2 = max(0.0, min(x1, width - 1.0)), max(0.0, min(x2, width - 1.0))
        y1, y2 = max(0.0, min(y1, height - 1.0)), max(0.0, min(y2, height - 1.0))
        pen.rectangle((x1, y1, x2, y2), outline=(*colour, alpha), width=line)
        if leader.uncertainty is not None:
            fraction = 1.0 - confidence(leader.uncertainty)
            bar = max(2, 2 * line)
            bx1, bx2 = min(x2 + 1, width - bar), min(x2 + 1 + bar, width - 1)
            pen.rectangle((bx1, y1, bx2, y2), outline=(*colour, 160), width=1)
            pen.rectangle((bx1, y2 - fraction * (y2 - y1), bx2, y2), fill=(*colour, 200))
        text_y = y1
        for member in group[:MAX_LABELS]:
            text = f"{member.label} {member.score:.2f}"
            left, top, right, bottom = pen.textbbox((0, 0), text, font=font)
            tag_h = bottom - top + 2
            text_y = max(0.0, text_y - tag_h) if member is leader else text_y
            tag_w = right - left + 3
            text_x = max(0.0, min(x1, width - tag_w))  # kept inside the frame
            pen.rectangle((text_x, text_y, text_x + tag_w, text_y + tag_h), fill=(*colour, 190))
            pen.text((text_x + 1, text_y + 1 - top), text, fill=(0, 0, 0, 255), font=font)
            text_y += tag_h
    return np.asarray(Image.alpha_composite(base, layer).convert("RGB"))
