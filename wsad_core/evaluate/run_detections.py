"""A run's stored predictions as the evaluators' inputs: AVA rows and detected tubes, and
the project's ground truth as tubes.

Evaluation of a run and the AVA CSV export build their rows with :func:`keyframe_rows`, so
that the CSV evaluated with `wsad eval frame-ap` gives the AP `wsad eval run` reports: boxes
are rounded to the 3 decimals the CSV holds and scores are the stored float32 values, which
the CSV writes exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
from sqlalchemy import select

from wsad_core.errors import WsadError
from wsad_core.evaluate.video_ap import DetectedTube, GtTube
from wsad_core.formats import AvaRow
from wsad_core.project import Project, VideoRecord
from wsad_core.project.prediction_reader import RunPredictions
from wsad_core.project.schema import AnnotatedFrame, GtBox, Label, Video


def label_ids(project: Project, labels: Iterable[str]) -> dict[str, int]:
    """The AVA action id (the label's external id) of each of ``labels`` that has one."""
    by_name = {label.name: label.external_id for label in project.labels()}
    return {name: by_name[name] for name in labels if by_name.get(name) is not None}


def keyframe_rows(
    predictions: RunPredictions, action_ids: Mapping[str, int], videos: Iterable[str] | None = None
) -> list[AvaRow]:
    """One AVA detection row per stored keyframe box and class with an action id."""
    columns = [(index, action_ids[name]) for index, name in enumerate(predictions.labels) if name in action_ids]
    rows: list[AvaRow] = []
    for name in predictions.videos if videos is None else videos:
        data = predictions.video(name)
        boxes = np.clip(np.round(data.keyframe_boxes, 3), 0.0, 1.0).tolist()
        scores = data.keyframe_scores.astype(np.float64)
        for i, (time, box) in enumerate(zip(data.keyframe_time.tolist(), boxes)):
            rows.extend(AvaRow(name, time, tuple(box), action, score=float(scores[i, c])) for c, action in columns)
    return rows


def detected_tubes(predictions: RunPredictions, videos: Iterable[str] | None = None) -> list[DetectedTube]:
    """The stored action tubes, labelled by class name."""
    return [
        DetectedTube(tube.video, predictions.labels[tube.label_index], float(tube.score), tube.frames, tube.boxes)
        for name in (predictions.videos if videos is None else videos)
        for tube in predictions.video(name).tubes
    ]


def every_frame_videos(project: Project, videos: Iterable[VideoRecord]) -> list[str]:
    """Videos whose annotated frames are consecutive (UCF-style tube ground truth, not 1 Hz)."""
    names = [v.name for v in videos]
    with project.reading() as session:
        frames = session.execute(
            select(Video.name, AnnotatedFrame.frame)
            .join(Video, Video.id == AnnotatedFrame.video_id)
            .where(Video.name.in_(names), AnnotatedFrame.frame.is_not(None))
        ).all()
    by_video: dict[str, list[int]] = defaultdict(list)
    for name, frame in frames:
        by_video[name].append(frame)
    return sorted(
        name for name, found in by_video.items() if len(found) > 1 and max(found) - min(found) + 1 == len(found)
    )


def _runs(frames: np.ndarray) -> list[slice]:
    breaks = np.flatnonzero(np.diff(frames) != 1) + 1
    bounds = np.concatenate(([0], breaks, [len(frames)]))
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def project_gt_tubes(project: Project, videos: Iterable[VideoRecord]) -> dict[str, list[GtTube]]:
    """Ground-truth tubes of the videos with every-frame ground truth: the boxes of one person
    and one action over a run of consecutive frames, in pixels, labelled by class name."""
    records = {v.name: v for v in videos}
    names = every_frame_videos(project, records.values())
    with project.reading() as session:
        rows = session.execute(
            select(Video.name, GtBox.person_id, Label.name, AnnotatedFrame.frame,
                   GtBox.x1, GtBox.y1, GtBox.x2, GtBox.y2)
            .join(AnnotatedFrame, AnnotatedFrame.id == GtBox.annotated_frame_id)
            .join(Video, Video.id == AnnotatedFrame.video_id)
            .join(Label, Label.id == GtBox.label_id)
            .where(Video.name.in_(names), GtBox.person_id.is_not(None))
            .order_by(Video.name, GtBox.person_id, Label.name, AnnotatedFrame.frame)
        ).all()
    grouped: dict[tuple[str, int, str], list[tuple[int, float, float, float, float]]] = defaultdict(list)
    for name, person, label, frame, *box in rows:
        grouped[(name, person, label)].append((frame, *box))
    tubes: dict[str, list[GtTube]] = {name: [] for name in names}
    for (name, _, label), values in grouped.items():
        video = records[name]
        if not video.width or not video.height:
            raise WsadError(f"video {name!r}: frame size unknown (status {video.status!r}); re-import it")
        array = np.array(values, dtype=np.float64)
        frames = array[:, 0].astype(np.int64)
        boxes = array[:, 1:] * np.array([video.width, video.height, video.width, video.height], dtype=np.float64)
        tubes[name].extend(GtTube(label, frames[run], boxes[run]) for run in _runs(frames))
    return tubes
