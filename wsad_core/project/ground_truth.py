"""Ground truth in the project: AVA keyframe boxes, UCF101-24 tubes, and the weak labels
derived from them for sub-clips of any length (the paper's Table 4 protocol)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from wsad_core.errors import FormatError, ProjectError
from wsad_core.formats import AvaRow, UcfAnnotations
from wsad_core.project.clips import TIME_TOLERANCE, get_or_add_clip, set_clip_labels
from wsad_core.project.labels import add_label, labels_by_external_id
from wsad_core.project.records import GroundTruthReport
from wsad_core.project.schema import SPLITS, AnnotatedFrame, GtBox, Label, Video

# UCF101 is distributed at 25 frames/s; annotations of a video not imported yet assume it.
UCF101_FPS = 25.0


def resolve_dataset_video(session: Session, name: str) -> tuple[Video, bool]:
    """The project's video that a data set calls ``name``, or a new placeholder for it.

    Data sets name videos by id (AVA) or by ``Class/video`` (UCF101-24); a file imported as
    ``…/Class/video.avi`` has the name ``video``, so a unique suffix match links them too.
    """
    matches = list(session.scalars(select(Video).where(Video.name == name)))
    if not matches:
        stem = name.rsplit("/", 1)[-1]
        matches = list(
            session.scalars(
                select(Video).where(or_(Video.name == stem, Video.name.endswith("/" + stem)))
            )
        )
    if len(matches) > 1:
        raise ProjectError(f"video {name!r} matches {len(matches)} videos of the project")
    if matches:
        return matches[0], False
    video = Video(name=name, status="missing")
    session.add(video)
    session.flush()
    return video, True


def check_split(split: str | None) -> None:
    if split is not None and split not in SPLITS:
        raise ProjectError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")


def _replace_frames(session: Session, video: Video, source: str) -> None:
    session.execute(
        delete(AnnotatedFrame).where(
            AnnotatedFrame.video_id == video.id, AnnotatedFrame.source == source
        )
    )


def _check_time_clash(session: Session, video: Video, source: str) -> None:
    other = session.scalar(
        select(AnnotatedFrame.source).where(
            AnnotatedFrame.video_id == video.id, AnnotatedFrame.source != source
        )
    )
    if other is not None:
        raise ProjectError(
            f"video {video.name!r} already has ground truth from {other!r}; "
            "one source of ground truth per video"
        )


def _row_number(row: AvaRow, index: int) -> int:
    return row.row or index + 1


def import_ava_rows(
    session: Session,
    rows: Sequence[AvaRow],
    *,
    path: str | None = None,
    source: str = "ava",
    skip_unknown_actions: bool = False,
    split: str | None = None,
) -> GroundTruthReport:
    """Write AVA ground-truth rows, replacing earlier ground truth of ``source`` per video.

    Every row is checked before anything is written; an action id outside the vocabulary is
    an error naming the row, unless ``skip_unknown_actions`` (as the official evaluator
    drops classes outside its label map).
    """
    check_split(split)
    labels = labels_by_external_id(session)
    by_video: dict[str, dict[float, list[tuple[AvaRow, int | None]]]] = defaultdict(dict)
    for index, row in enumerate(rows):
        frames = by_video[row.video_id]
        frames.setdefault(row.timestamp, [])
        if row.box is None:
            continue
        if row.action_id is None:
            raise FormatError(path, "a ground-truth row needs an action id", row=_row_number(row, index), field="action_id")
        label = labels.get(row.action_id)
        if label is None:
            if skip_unknown_actions:
                continue
            raise FormatError(
                path,
                f"action id {row.action_id} is not in the project's vocabulary "
                "(import the label map first, or skip unknown actions)",
                row=_row_number(row, index),
                field="action_id",
            )
        frames[row.timestamp].append((row, label.id))

    placeholders = boxes = annotated = 0
    for video_name, frames in by_video.items():
        video, created = resolve_dataset_video(session, video_name)
        placeholders += created
        if split is not None:
            video.split = split
        _check_time_clash(session, video, source)
        _replace_frames(session, video, source)
        for timestamp in sorted(frames):
            frame = AnnotatedFrame(
                video_id=video.id,
                time=float(timestamp),
                frame=round(timestamp * video.fps) if video.fps else None,
                source=source,
            )
            session.add(frame)
            session.flush()
            annotated += 1
            values = [
                dict(
                    annotated_frame_id=frame.id,
                    person_id=row.person_id,
                    x1=row.box[0],
                    y1=row.box[1],
                    x2=row.box[2],
                    y2=row.box[3],
                    label_id=label_id,
                )
                for row, label_id in frames[timestamp]
            ]
            if values:
                session.execute(insert(GtBox), values)
                boxes += len(values)
    session.flush()
    return GroundTruthReport(len(by_video), annotated, boxes, placeholders)


def _ucf_label_ids(session: Session, names: Sequence[str]) -> list[int]:
    ids = []
    for index, name in enumerate(names):
        label = session.scalar(select(Label).where(Label.name == name))
        if label is None:
            taken = session.scalar(select(Label).where(Label.external_id == index + 1))
            label = add_label(session, name, external_id=None if taken else index + 1)
        ids.append(label.id)
    return ids


def import_ucf24(
    session: Session, annotations: UcfAnnotations, *, source: str = "ucf24"
) -> GroundTruthReport:
    """Write UCF101-24 tubes as per-frame boxes; every frame of an annotated video counts
    as annotated (frames outside the tubes hold no action), as in the frame-mAP protocol."""
    label_ids = _ucf_label_ids(session, annotations.labels)
    placeholders = annotated = boxes = 0
    for name, ucf_video in annotations.videos.items():
        video, created = resolve_dataset_video(session, name)
        if created:
            placeholders += 1
            video.fps = UCF101_FPS
            video.frame_count = ucf_video.nframes
            video.duration = ucf_video.nframes / UCF101_FPS
            video.width, video.height = ucf_video.width, ucf_video.height
        if ucf_video.split is not None:
            video.split = ucf_video.split
        _check_time_clash(session, video, source)
        _replace_frames(session, video, source)
        fps = video.fps or UCF101_FPS
        session.execute(
            insert(AnnotatedFrame),
            [
                dict(video_id=video.id, frame=f, time=f / fps, source=source)
                for f in range(ucf_video.nframes)
            ],
        )
        frame_ids = dict(
            session.execute(
                select(AnnotatedFrame.frame, AnnotatedFrame.id).where(
                    AnnotatedFrame.video_id == video.id, AnnotatedFrame.source == source
                )
            ).all()
        )
        annotated += ucf_video.nframes
        width, height = float(ucf_video.width), float(ucf_video.height)
        values = []
        for person_id, tube in enumerate(ucf_video.tubes):
            for frame, (x1, y1, x2, y2) in zip(tube.frames.tolist(), tube.boxes.tolist()):
                values.append(
                    dict(
                        annotated_frame_id=frame_ids[frame],
                        person_id=person_id,
                        x1=min(max(x1 / width, 0.0), 1.0),
                        y1=min(max(y1 / height, 0.0), 1.0),
                        x2=min(max(x2 / width, 0.0), 1.0),
                        y2=min(max(y2 / height, 0.0), 1.0),
                        label_id=label_ids[tube.label],
                    )
                )
        if values:
            session.execute(insert(GtBox), values)
            boxes += len(values)
    session.flush()
    return GroundTruthReport(len(annotations.videos), annotated, boxes, placeholders)


@dataclass(frozen=True)
class DerivedLabelsReport:
    clips: int
    labelled: int
    skipped_user_labelled: int


def derive_weak_labels(
    session: Session,
    seconds: float | None,
    *,
    video_ids: Sequence[int] | None = None,
    by: str = "derived:gt",
    overwrite: bool = False,
) -> DerivedLabelsReport:
    """Label sub-clips of ``seconds`` (None: the whole annotated span) with the union of the
    actions on their annotated frames.

    Sub-clips are cells of a grid anchored at time 0 (so AVA's 900-second cells are exactly its
    15-minute segments); only cells holding an annotated frame are labelled, since a cell
    nobody annotated says nothing. Clips labelled by someone else are left alone unless
    ``overwrite``.
    """
    if seconds is not None and not seconds > 0:
        raise ProjectError(f"sub-clip length must be positive, not {seconds:g}")
    query = (
        select(AnnotatedFrame.video_id, AnnotatedFrame.time, Label.name)
        .outerjoin(GtBox, GtBox.annotated_frame_id == AnnotatedFrame.id)
        .outerjoin(Label, Label.id == GtBox.label_id)
        .where(AnnotatedFrame.time.is_not(None))
    )
    if video_ids is not None:
        query = query.where(AnnotatedFrame.video_id.in_(video_ids))
    actions: dict[int, dict[float, set[str]]] = defaultdict(lambda: defaultdict(set))
    for video_id, time, label_name in session.execute(query):
        names = actions[video_id][time]
        if label_name is not None:
            names.add(label_name)

    clips = labelled = skipped = 0
    for video_id, frames in actions.items():
        video = session.get(Video, video_id)
        times = sorted(frames)
        if seconds is None:
            cells = {(math.floor(times[0]), math.floor(times[-1]) + 1.0): times}
        else:
            cells = defaultdict(list)
            for time in times:
                index = math.floor(time / seconds + TIME_TOLERANCE)
                cells[(index * seconds, (index + 1) * seconds)].append(time)
        for (start, end), cell_times in sorted(cells.items()):
            if video.duration is not None:
                if start >= video.duration:
                    raise ProjectError(
                        f"video {video.name!r}: ground truth at {cell_times[0]:g} s lies after "
                        f"the end of the video ({video.duration:g} s)"
                    )
                end = min(end, video.duration)
            whole = video.duration is not None and start == 0 and end == video.duration
            clip = get_or_add_clip(
                session, video, float(start), float(end), kind="video" if whole else "subclip"
            )
            clips += 1
            if clip.labelled_at is not None and clip.labelled_by != by and not overwrite:
                skipped += 1
                continue
            names = sorted(set().union(*(frames[t] for t in cell_times)))
            set_clip_labels(session, clip, names, by=by)
            labelled += 1
    return DerivedLabelsReport(clips, labelled, skipped)


def ground_truth_rows(session: Session, *, video_ids: Sequence[int] | None = None) -> list[AvaRow]:
    """The project's ground truth as AVA rows (keyframes without boxes as 2-column rows)."""
    query = (
        select(
            Video.name,
            AnnotatedFrame.time,
            GtBox.x1, GtBox.y1, GtBox.x2, GtBox.y2,
            Label.external_id,
            GtBox.person_id,
        )
        .join(Video, Video.id == AnnotatedFrame.video_id)
        .outerjoin(GtBox, GtBox.annotated_frame_id == AnnotatedFrame.id)
        .outerjoin(Label, Label.id == GtBox.label_id)
        .where(AnnotatedFrame.time.is_not(None))
        .order_by(Video.name, AnnotatedFrame.time, GtBox.person_id, Label.external_id)
    )
    if video_ids is not None:
        query = query.where(AnnotatedFrame.video_id.in_(video_ids))
    rows: list[AvaRow] = []
    keyframes_with_rows: set[tuple[str, float]] = set()
    empty_keyframes: list[tuple[str, float]] = []
    for name, time, x1, y1, x2, y2, action_id, person_id in session.execute(query):
        if x1 is None or action_id is None:
            empty_keyframes.append((name, time))
            continue
        keyframes_with_rows.add((name, time))
        rows.append(AvaRow(name, time, (x1, y1, x2, y2), action_id, person_id))
    for name, time in empty_keyframes:
        if (name, time) not in keyframes_with_rows:
            keyframes_with_rows.add((name, time))
            rows.append(AvaRow(name, time, None, None))
    rows.sort(key=lambda r: (r.video_id, r.timestamp, r.box is not None))
    return rows
