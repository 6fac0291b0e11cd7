"""Plain, immutable views of project rows handed to the CLI and the studio.

They outlive the database session that read them, so callers never trip over
lazy loading of detached ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LabelRecord:
    id: int
    name: str
    external_id: int | None = None
    color: str | None = None
    shortcut: str | None = None


@dataclass(frozen=True)
class VideoRecord:
    id: int
    name: str
    path: str | None
    status: str
    error: str | None = None
    size: int | None = None
    fingerprint: str | None = None
    fps: float | None = None
    frame_count: int | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    codec: str | None = None
    split: str | None = None


@dataclass(frozen=True)
class ClipRecord:
    id: int
    video_id: int
    video_name: str
    start: float
    end: float
    kind: str
    labels: tuple[str, ...] = ()
    labelled: bool = False

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class ImportReport:
    """What an import did, for progress output and the studio's import dialog."""

    added: list[VideoRecord] = field(default_factory=list)
    linked: list[VideoRecord] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[VideoRecord] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.linked) + len(self.duplicates) + len(self.errors)


@dataclass(frozen=True)
class GroundTruthReport:
    """What a ground-truth import wrote."""

    videos: int
    annotated_frames: int
    boxes: int
    placeholders: int
