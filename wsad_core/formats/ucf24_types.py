"""In-memory UCF101-24 annotations, whichever pickle they were read from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(eq=False)
class UcfTube:
    """One actor's track: ``frames`` are 0-based (int64, shape (T,)), ``boxes`` are
    ``x1, y1, x2, y2`` in pixels (float64, shape (T, 4)); ``label`` indexes
    :attr:`UcfAnnotations.labels`."""

    label: int
    frames: np.ndarray
    boxes: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UcfTube):
            return NotImplemented
        return (
            self.label == other.label
            and np.array_equal(self.frames, other.frames)
            and np.array_equal(self.boxes, other.boxes)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable arrays inside


@dataclass
class UcfVideo:
    """One video; ``split`` is ``"train"``, ``"test"`` or ``None`` when the file does not say."""

    name: str
    label: int
    nframes: int
    width: int
    height: int
    split: str | None
    tubes: list[UcfTube]


@dataclass
class UcfAnnotations:
    """All videos of a file; ``source_format`` is ``"act"`` or ``"pyannot"``."""

    labels: list[str]
    videos: dict[str, UcfVideo]
    source_format: str
