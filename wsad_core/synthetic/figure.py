"""An articulated stick figure: joint positions from a pose, drawing, and its tight box.

Lengths are in units of the figure's standing height (feet to top of head, about
1.0). The figure is drawn with aliased OpenCV primitives on a sub-pixel grid, and
its box is measured by drawing it alone, so the box is exactly its pixels' extent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from wsad_core.synthetic.pose import Pose

THIGH, SHIN = 0.25, 0.24
UPPER_ARM, FOREARM = 0.16, 0.15
TORSO = 0.30
NECK_GAP = 0.03
HEAD_RADIUS = 0.085
SHOULDER_X, SHOULDER_DROP = 0.09, 0.03
HIP_X = 0.05
LIMB_THICKNESS, TORSO_THICKNESS = 0.07, 0.13
MIN_LIMB_PX, MIN_TORSO_PX = 3, 5
# Hands and feet: discs at the ends of the limbs, the same skin and shoe colours on every
# figure (as people's hands look alike whatever they wear), so where a hand is reads at a glance.
HAND_RADIUS, FOOT_RADIUS = 0.05, 0.045
HAND_COLOR, FOOT_COLOR = (236, 188, 150), (35, 30, 30)

# Shades of the figure's colour: the left side darker, the head lighter, so a spin shows.
_SHADES = {"left": 0.65, "right": 1.0, "torso": 0.85, "head": 1.15}

_SHIFT = 4
_SCALE = 1 << _SHIFT
# Aliased thick lines and discs reach at most this far beyond their nominal radius (measured 1.23).
_RASTER_MARGIN = 2.0

Point = tuple[float, float]


@dataclass(frozen=True)
class Segment:
    start: Point
    end: Point
    thickness: int
    part: str


@dataclass(frozen=True)
class FigureGeometry:
    """Pixel geometry of one figure in one frame (OpenCV coordinates: pixel centres at integers)."""

    segments: tuple[Segment, ...]
    head_centre: Point
    head_radius: float
    hands: tuple[Point, ...] = ()
    feet: tuple[Point, ...] = ()
    hand_radius: float = 0.0
    foot_radius: float = 0.0


def limb_thickness(height: float) -> int:
    """Limb width in pixels for a figure ``height`` pixels tall (never under 3)."""
    return max(MIN_LIMB_PX, round(LIMB_THICKNESS * height))


def torso_thickness(height: float) -> int:
    return max(MIN_TORSO_PX, round(TORSO_THICKNESS * height))


def _chain(
    origin: Point, side: int, width: float, angles: tuple[float, float], lengths: tuple[float, float]
) -> list[Point]:
    """Joints from ``origin`` along two bones whose angles are measured from straight down."""
    points = [origin]
    x, y = origin
    for angle, length in zip(angles, lengths):
        x += side * width * length * math.sin(angle)
        y -= length * math.cos(angle)
        points.append((x, y))
    return points


def figure_geometry(pose: Pose, x: float, ground: float, height: float) -> FigureGeometry:
    """Place ``pose`` with its body axis at ``x``, standing on the line ``y = ground`` (pixels),
    ``height`` pixels tall when standing; ``pose.lift`` raises it off the ground."""
    w = pose.width
    legs = {
        "left": _chain((HIP_X * w, 0.0), 1, w, pose.legs[0:2], (THIGH, SHIN)),
        "right": _chain((-HIP_X * w, 0.0), -1, w, pose.legs[2:4], (THIGH, SHIN)),
    }
    shoulder_y = TORSO - SHOULDER_DROP
    arms = {
        "left": _chain((SHOULDER_X * w, shoulder_y), 1, w, pose.left_arm, (UPPER_ARM, FOREARM)),
        "right": _chain((-SHOULDER_X * w, shoulder_y), -1, w, pose.right_arm, (UPPER_ARM, FOREARM)),
    }
    limb = limb_thickness(height)
    lowest = min(legs["left"][-1][1], legs["right"][-1][1])
    base_y = ground - limb / 2 - (pose.lift - lowest) * height

    def px(point: Point) -> Point:
        return (x + point[0] * height, base_y - point[1] * height)

    segments: list[Segment] = []
    for side in ("left", "right"):
        chain = legs[side]
        segments += [Segment(px(a), px(b), limb, side) for a, b in zip(chain, chain[1:])]
    segments.append(Segment(px((0.0, 0.0)), px((0.0, TORSO)), torso_thickness(height), "torso"))
    segments.append(Segment(px(legs["left"][0]), px(legs["right"][0]), limb, "torso"))
    segments.append(Segment(px(arms["left"][0]), px(arms["right"][0]), limb, "torso"))
    for side in ("left", "right"):
        chain = arms[side]
        segments += [Segment(px(a), px(b), limb, side) for a, b in zip(chain, chain[1:])]
    head = px((0.0, TORSO + NECK_GAP + HEAD_RADIUS))
    hands = tuple(px(arms[side][-1]) for side in ("left", "right"))
    feet = tuple(px(legs[side][-1]) for side in ("left", "right"))
    return FigureGeometry(
        tuple(segments), head, HEAD_RADIUS * height, hands, feet, HAND_RADIUS * height, FOOT_RADIUS * height
    )


def _reach_box(geometry: FigureGeometry) -> tuple[float, float, float, float]:
    """OpenCV-coordinate bounds that every drawn pixel centre lies within."""
    xs: list[float] = []
    ys: list[float] = []
    for seg in geometry.segments:
        reach = seg.thickness / 2 + _RASTER_MARGIN
        for px, py in (seg.start, seg.end):
            xs += [px - reach, px + reach]
            ys += [py - reach, py + reach]
    discs = [(geometry.head_centre, geometry.head_radius)]
    discs += [(point, geometry.hand_radius) for point in geometry.hands]
    discs += [(point, geometry.foot_radius) for point in geometry.feet]
    for (cx, cy), radius in discs:
        reach = radius + _RASTER_MARGIN
        xs += [cx - reach, cx + reach]
        ys += [cy - reach, cy + reach]
    return min(xs), min(ys), max(xs), max(ys)


def geometry_box(
    geometry: FigureGeometry, frame: tuple[int, int] | None = None
) -> tuple[float, float, float, float] | None:
    """Exact box ``x1, y1, x2, y2`` of the pixels the figure covers, in edge coordinates
    (pixel ``i`` spans ``[i, i + 1)``).

    With ``frame = (width, height)`` only pixels inside the frame count, so a figure
    half outside gets the box of its visible part, and ``None`` when nothing shows.
    The figure is rasterised alone into a small mask, so the box is as tight as the
    drawing itself, whatever OpenCV does at line ends.
    """
    bx1, by1, bx2, by2 = _reach_box(geometry)
    left, top = math.floor(bx1) - 1, math.floor(by1) - 1
    right, bottom = math.ceil(bx2) + 2, math.ceil(by2) + 2
    if frame is not None:
        left, top = max(left, 0), max(top, 0)
        right, bottom = min(right, frame[0]), min(bottom, frame[1])
        if right <= left or bottom <= top:
            return None
    mask = np.zeros((bottom - top, right - left, 3), np.uint8)
    draw_figure(mask, geometry, (255, 255, 255), offset=(-left, -top))
    rows = np.flatnonzero(mask[:, :, 0].any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask[:, :, 0].any(axis=0))
    return (float(left + cols[0]), float(top + rows[0]), float(left + cols[-1] + 1), float(top + rows[-1] + 1))


def _fixed(point: Point, offset: tuple[int, int]) -> tuple[int, int]:
    return (round((point[0] + offset[0]) * _SCALE), round((point[1] + offset[1]) * _SCALE))


def shade(color: tuple[int, int, int], part: str) -> tuple[int, int, int]:
    factor = _SHADES[part]
    return tuple(int(min(255, round(c * factor))) for c in color)  # type: ignore[return-value]


def draw_figure(
    image: np.ndarray,
    geometry: FigureGeometry,
    color: tuple[int, int, int],
    offset: tuple[int, int] = (0, 0),
) -> None:
    """Draw the figure into ``image`` (HxWx3 uint8, modified in place), shifted by whole pixels."""
    shades = {part: shade(color, part) for part in _SHADES}
    for seg in geometry.segments:
        start, end = _fixed(seg.start, offset), _fixed(seg.end, offset)
        cv2.line(image, start, end, shades[seg.part], seg.thickness, cv2.LINE_8, _SHIFT)
    centre, radius = _fixed(geometry.head_centre, offset), round(geometry.head_radius * _SCALE)
    cv2.circle(image, centre, radius, shades["head"], -1, cv2.LINE_8, _SHIFT)
    for points, radius, fill in (
        (geometry.feet, geometry.foot_radius, FOOT_COLOR), (geometry.hands, geometry.hand_radius, HAND_COLOR)
    ):
        for point in points:
            cv2.circle(image, _fixed(point, offset), round(radius * _SCALE), fill, -1, cv2.LINE_8, _SHIFT)
