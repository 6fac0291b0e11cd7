"""The project's ground-truth boxes on annotated frames: one box per person and place, its
actions as the caption (AVA repeats a box once per action)."""

from __future__ import annotations

from wsad_studio.overlays.boxes import OverlayBox, OverlayProvider
from wsad_studio.state import AppState

GT_FALLBACK_COLOR = "#ffffff"


def ground_truth_overlay(state: AppState) -> OverlayProvider:
    """A provider reading ``state.ground_truth`` (frame index → boxes) at draw time."""

    def boxes(frame: int) -> list[OverlayBox]:
        colors = {label.name: label.color for label in state.labels}
        people: dict[tuple, list] = {}
        for box in state.ground_truth.get(frame, []):
            key = (box.person_id, *(round(v, 4) for v in (box.x1, box.y1, box.x2, box.y2)))
            people.setdefault(key, []).append(box)
        drawn = []
        for group in people.values():
            first = group[0]
            names = sorted({b.label for b in group if b.label})
            color = colors.get(names[0]) if names else None
            drawn.append(
                OverlayBox(
                    first.x1, first.y1, first.x2, first.y2,
                    color=color or GT_FALLBACK_COLOR,
                    text="GT " + ", ".join(names) if names else "GT",
                )
            )
        return drawn

    return boxes
