"""Files in and out of a project: AVA and UCF101-24 ground truth, clip-label CSVs.

Each importer parses and checks the whole file before it opens a write transaction, so a
bad file changes nothing and its error names the file, the row and the field.
"""

from __future__ import annotations

from pathlib import Path

from wsad_core.errors import FormatError, ProjectError
from wsad_core.files import atomic_output
from wsad_core.formats import (
    ClipLabelRow,
    read_ava_csv,
    read_clip_labels_csv,
    read_ucf24,
    write_ava_csv,
    write_clip_labels_csv,
)
from wsad_core.project import clips as clip_ops
from wsad_core.project import ground_truth
from wsad_core.project import labels as label_ops
from wsad_core.project import videos as video_ops
from wsad_core.project.project import Project
from wsad_core.project.records import GroundTruthReport


def import_ava_ground_truth(
    project: Project,
    csv_path: str | Path,
    *,
    label_map: str | Path | None = None,
    skip_unknown_actions: bool = False,
    split: str | None = None,
) -> GroundTruthReport:
    """Import an AVA ground-truth CSV (after the label map, when one is given); ``split``
    marks the file's videos as ``train``, ``val`` or ``test``."""
    rows = read_ava_csv(Path(csv_path), kind="gt")
    entries = None if label_map is None else label_ops.label_map_entries(label_map)
    with project.transaction() as session:
        if entries is not None:
            label_ops.add_label_map(session, entries)
        return ground_truth.import_ava_rows(
            session,
            rows,
            path=str(csv_path),
            skip_unknown_actions=skip_unknown_actions,
            split=split,
        )


def import_ucf24_ground_truth(project: Project, path: str | Path, *, split: int = 0) -> GroundTruthReport:
    annotations = read_ucf24(Path(path), split=split)
    with project.transaction() as session:
        return ground_truth.import_ucf24(session, annotations)


def _check_clip_row(session, path: Path, row: ClipLabelRow, create_labels: bool):  # noqa: ANN001, ANN202
    try:
        video = video_ops.get_video(session, row.video)
    except ProjectError as exc:
        raise FormatError(path, str(exc), row=row.row, field="video") from None
    try:
        clip_ops.check_span(video, row.start, row.end)
    except ProjectError as exc:
        raise FormatError(path, str(exc), row=row.row, field="end") from None
    if not create_labels:
        for name in row.labels:
            try:
                label_ops.get_label(session, name)
            except ProjectError as exc:
                raise FormatError(path, str(exc), row=row.row, field="labels") from None
    return video


def import_clip_labels(
    project: Project, path: str | Path, *, create_labels: bool = False, by: str | None = None
) -> int:
    """Set the label sets of the clips a CSV lists (creating the clips), all or nothing.

    A row replaces the clip's label set; an empty label field marks a clip with no action.
    Labels outside the vocabulary are errors unless ``create_labels``.
    """
    path = Path(path)
    rows = read_clip_labels_csv(path)
    author = by or f"import:{path.name}"
    with project.transaction() as session:
        videos = [_check_clip_row(session, path, row, create_labels) for row in rows]
        if create_labels:
            known = {label.name for label in label_ops.list_labels(session)}
            for name in sorted({n for row in rows for n in row.labels} - known):
                label_ops.add_label(session, name)
        for row, video in zip(rows, videos):
            clip = clip_ops.get_or_add_clip(session, video, row.start, row.end)
            clip_ops.set_clip_labels(session, clip, row.labels, by=author)
    return len(rows)


def export_clip_labels(project: Project, path: str | Path, *, force: bool = False) -> int:
    """Write every labelled clip (including clips labelled with no action)."""
    rows = [
        ClipLabelRow(clip.video_name, clip.start, clip.end, clip.labels)
        for clip in project.clips(labelled=True)
    ]
    with atomic_output(path, force=force) as temp:
        write_clip_labels_csv(rows, temp)
    return len(rows)


def export_ava_ground_truth(project: Project, path: str | Path, *, force: bool = False) -> int:
    with project.reading() as session:
        rows = ground_truth.ground_truth_rows(session)
    with atomic_output(path, force=force) as temp:
        write_ava_csv(rows, temp)
    return len(rows)
