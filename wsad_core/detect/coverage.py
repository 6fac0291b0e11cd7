"""Which of a project's usable videos each detection set covers, so that a user (or the studio's
Train panel) can tell whether detection must run before training."""

from __future__ import annotations

from dataclasses import dataclass

from wsad_core.detect.cache import DetectionSet, detection_sets
from wsad_core.errors import WsadError
from wsad_core.project import Project


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


def set_coverage(project: Project, detection_set: DetectionSet) -> SetCoverage:
    videos = project.videos(status="ok")
    lacking = set(detection_set.lacking(video.fingerprint for video in videos))
    missing = tuple(video.name for video in videos if video.fingerprint in lacking)
    try:
        detector = str(detection_set.identity.get("detector", "?"))
    except (OSError, ValueError):
        detector = "?"
    return SetCoverage(detection_set.key, detector, len(videos), missing)


def project_coverage(project: Project) -> list[SetCoverage]:
    """Every detection set of the project with what it covers, in key order."""
    return [set_coverage(project, found) for found in detection_sets(project.cache_dir)]


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
