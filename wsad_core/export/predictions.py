"""A run's stored predictions as AVA CSV (keyframe detections) and tubes CSV (action tubes)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from wsad_core.errors import WsadError
from wsad_core.evaluate.run_detections import keyframe_rows, label_ids
from wsad_core.files import atomic_output
from wsad_core.formats import write_ava_csv
from wsad_core.formats.tubes_csv import write_tubes_csv
from wsad_core.project import Project


def _videos(available: Sequence[str], wanted: Sequence[str] | None) -> list[str]:
    if not wanted:
        return list(available)
    missing = [name for name in wanted if name not in available]
    if missing:
        raise WsadError(f"no stored predictions for video(s) {', '.join(map(repr, missing))}")
    return list(dict.fromkeys(wanted))


def export_predictions_ava(
    project: Project, run: int | str, out: Path, *, videos: Sequence[str] | None = None, force: bool = False
) -> int:
    """``video_id,timestamp,x1,y1,x2,y2,action_id,score`` for every keyframe box and class that
    has an AVA action id (the project label's id, as in its label map); returns the row count.

    These are exactly the detections `wsad eval run` evaluates, so `wsad eval frame-ap` on this
    file and the project's ground truth gives the same AP."""
    predictions = project.predictions(run)
    ids = label_ids(project, predictions.labels)
    if not ids:
        raise WsadError(f"none of run {run}'s labels has an action id to write in an AVA CSV")
    rows = keyframe_rows(predictions, ids, _videos(predictions.videos, videos))
    with atomic_output(out, force=force) as temp:
        write_ava_csv(rows, temp)
    return len(rows)


def export_tubes_csv(
    project: Project, run: int | str, out: Path, *, videos: Sequence[str] | None = None, force: bool = False
) -> int:
    """One row per action tube per frame (see :mod:`wsad_core.formats.tubes_csv`); returns
    the row count."""
    predictions = project.predictions(run)
    names = _videos(predictions.videos, videos)
    fps = {v.name: v.fps for v in project.videos() if v.name in set(names) and v.fps}
    tubes = [tube for name in names for tube in predictions.video(name).tubes]
    with atomic_output(out, force=force) as temp:
        try:
            return write_tubes_csv(tubes, temp, label_names=list(predictions.labels), fps=fps)
        except ValueError as exc:
            raise WsadError(f"{out}: {exc}") from None
