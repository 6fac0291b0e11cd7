"""Which of a project's usable videos each detection set covers, so that a user (or the studio's
Train panel) can tell whether detection must run before training."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wsad_core.detect.cache import DetectionSet, detection_sets
from wsad_core.errors import WsadError
from wsad_core.project import Project
from wsad_core.project.schema import Video


@dataclass(frozen=True)
class SetCoverage:
    """One detection set: its key, the detector that made it, and the usable videos it lacks."""

    key: str
    detector: str
    total: int
    missing: tuple[str, ...]

    @property
    def covered(self) -> int:
        return self.total - len(self.missing)

    @property
    def complete(self) -> bool:
        return not self.missing

    def describe(self) -> str:
        return f"{self.key} ({self.detector}, {self.covered}/{self.total} videos)"


def set_coverage(project: Project, detection_set: DetectionSet,
                 videos: list[tuple[str, str]] | None = None) -> SetCoverage:
    """What ``detection_set`` covers of the usable videos, ``(name, fingerprint)`` pairs if
    given (read from the project otherwise)."""
    videos = _usable_videos(project) if videos is None else videos
    lacking = set(detection_set.lacking(fingerprint for _, fingerprint in videos))
    missing = tuple(name for name, fingerprint in videos if fingerprint in lacking)
    try:
        detector = str(detection_set.identity.get("detector", "?"))
    except (OSError, ValueError):
        detector = "?"
    return SetCoverage(detection_set.key, detector, len(videos), missing)


def _usable_videos(project: Project) -> list[tuple[str, str]]:
    """(name, fingerprint) of the usable videos, two columns read once: the Train panel lists
    coverage on the GUI thread, and whole video records cost 0.3 s per 5,000 videos (session 9)."""
    with project.reading() as session:
        return [tuple(row) for row in session.execute(
            select(Video.name, Video.fingerprint).where(Video.status == "ok").order_by(Video.name, Video.id)
        )]


def project_coverage(project: Project) -> list[SetCoverage]:
    """Every detection set of the project with what it covers, in key order."""
    videos = _usable_videos(project)
    return [set_coverage(project, found, videos) for found in detection_sets(project.cache_dir)]


def choose_detection_set(project: Project, key: str | None, option: str = "data.detections=KEY") -> DetectionSet:
    """The set named ``key``, or the project's only set; ``option`` is how the caller's user
    names one, for the error when there are several."""
    sets = {found.key: found for found in detection_sets(project.cache_dir)}
    if key is None:
        if len(sets) != 1:
            raise WsadError(
                f"{len(sets)} detection sets in the project: choose one with {option} "
                f"({', '.join(sets) or 'run `wsad detect` first'})"
            )
        return next(iter(sets.values()))
    if key not in sets:
        raise WsadError(f"no detection set {key!r} (have: {', '.join(sets) or 'none'})")
    return sets[key]
