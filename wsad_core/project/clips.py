"""Clips (the spans that carry weak labels) and their label sets."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wsad_core.errors import ProjectError
from wsad_core.project.labels import get_label
from wsad_core.project.records import ClipRecord
from wsad_core.project.schema import Clip, ClipLabel, Label, Video, utc_now

# Clip bounds are seconds; spans closer than this are the same span.
TIME_TOLERANCE = 1e-6


def to_record(clip: Clip) -> ClipRecord:
    names = tuple(sorted(cl.label.name for cl in clip.labels))
    return ClipRecord(
        id=clip.id,
        video_id=clip.video_id,
        video_name=clip.video.name,
        start=clip.start,
        end=clip.end,
        kind=clip.kind,
        labels=names,
        labelled=clip.labelled_at is not None,
    )


def _loaded(query):  # noqa: ANN001, ANN202
    return query.options(
        selectinload(Clip.labels).selectinload(ClipLabel.label), selectinload(Clip.video)
    )


def list_clips(
    session: Session,
    *,
    video_id: int | None = None,
    label: str | None = None,
    labelled: bool | None = None,
    kind: str | None = None,
) -> list[ClipRecord]:
    query = _loaded(select(Clip)).order_by(Clip.video_id, Clip.start, Clip.end)
    if video_id is not None:
        query = query.where(Clip.video_id == video_id)
    if kind is not None:
        query = query.where(Clip.kind == kind)
    if labelled is not None:
        query = query.where(
            Clip.labelled_at.is_not(None) if labelled else Clip.labelled_at.is_(None)
        )
    if label is not None:
        query = query.where(
            Clip.id.in_(
                select(ClipLabel.clip_id).join(Label).where(Label.name == label)
            )
        )
    return [to_record(clip) for clip in session.scalars(query)]


def get_clip(session: Session, clip_id: int) -> Clip:
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise ProjectError(f"no clip with id {clip_id}")
    return clip


def find_clip(session: Session, video: Video, start: float, end: float) -> Clip | None:
    return session.scalar(
        select(Clip).where(
            Clip.video_id == video.id,
            Clip.start.between(start - TIME_TOLERANCE, start + TIME_TOLERANCE),
            Clip.end.between(end - TIME_TOLERANCE, end + TIME_TOLERANCE),
        )
    )


def check_span(video: Video, start: float, end: float) -> None:
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
        raise ProjectError(f"video {video.name!r}: invalid clip span {start:g}..{end:g} s")
    if video.duration is not None and end > video.duration + TIME_TOLERANCE:
        raise ProjectError(
            f"video {video.name!r}: clip {start:g}..{end:g} s ends after the video "
            f"({video.duration:g} s)"
        )


def get_or_add_clip(
    session: Session, video: Video, start: float, end: float, kind: str = "interval"
) -> Clip:
    clip = find_clip(session, video, start, end)
    if clip is not None:
        return clip
    check_span(video, start, end)
    clip = Clip(video_id=video.id, start=float(start), end=float(end), kind=kind)
    session.add(clip)
    session.flush()
    return clip


def split_spans(start: float, end: float, seconds: float) -> list[tuple[float, float]]:
    """Consecutive spans of ``seconds`` covering start..end; the last one may be shorter."""
    if not seconds > 0:
        raise ProjectError(f"sub-clip length must be positive, not {seconds:g}")
    count = max(1, math.ceil((end - start) / seconds - TIME_TOLERANCE))
    spans = []
    for index in range(count):
        span_start = start + index * seconds
        span_end = min(end, span_start + seconds)
        if span_end - span_start > TIME_TOLERANCE:
            spans.append((span_start, span_end))
    return spans


def split_video(session: Session, video: Video, seconds: float) -> list[Clip]:
    """Fixed-length sub-clips over the whole video (existing identical spans are reused)."""
    if video.duration is None:
        raise ProjectError(
            f"video {video.name!r} has no known duration (status {video.status}); import its file first"
        )
    return [
        get_or_add_clip(session, video, start, end, kind="subclip")
        for start, end in split_spans(0.0, video.duration, seconds)
    ]


def add_intervals(
    session: Session, video: Video, intervals: Iterable[tuple[float, float]]
) -> list[Clip]:
    return [get_or_add_clip(session, video, start, end, kind="interval") for start, end in intervals]


def set_clip_labels(session: Session, clip: Clip, names: Sequence[str], by: str = "user") -> Clip:
    """Make the clip's label set exactly ``names`` (possibly empty: a clip with no action)."""
    wanted = {get_label(session, name).id: name for name in names}
    current = {cl.label_id: cl for cl in clip.labels}
    for label_id, link in current.items():
        if label_id not in wanted:
            clip.labels.remove(link)
    for label_id in wanted:
        if label_id not in current:
            clip.labels.append(ClipLabel(label_id=label_id, created_by=by))
    clip.labelled_by = by
    clip.labelled_at = utc_now()
    session.flush()
    return clip


def add_clip_label(session: Session, clip: Clip, name: str, by: str = "user") -> Clip:
    label = get_label(session, name)
    if all(cl.label_id != label.id for cl in clip.labels):
        clip.labels.append(ClipLabel(label_id=label.id, created_by=by))
    clip.labelled_by = by
    clip.labelled_at = utc_now()
    session.flush()
    return clip


def remove_clip_label(session: Session, clip: Clip, name: str, by: str = "user") -> Clip:
    label = get_label(session, name)
    for link in list(clip.labels):
        if link.label_id == label.id:
            clip.labels.remove(link)
    clip.labelled_by = by
    clip.labelled_at = utc_now()
    session.flush()
    return clip


def clear_clip_labels(session: Session, clip: Clip) -> Clip:
    """Forget the clip's labels and mark it as not labelled yet."""
    clip.labels.clear()
    clip.labelled_by = None
    clip.labelled_at = None
    session.flush()
    return clip


def remove_clip(session: Session, clip: Clip) -> None:
    session.delete(clip)
    session.flush()


def clip_at(clips: Sequence[ClipRecord], time: float) -> ClipRecord | None:
    """The clip under a playhead at ``time`` seconds: the shortest one containing it.

    Shortest wins so that a sub-clip or interval is chosen over the whole-video clip around it;
    a clip holds its start but not its end, except the end of the last clip of a video.
    """
    inside = [
        clip for clip in clips
        if clip.start - TIME_TOLERANCE <= time < clip.end - TIME_TOLERANCE
    ]
    if not inside:
        inside = [clip for clip in clips if abs(clip.end - time) <= TIME_TOLERANCE]
    return min(inside, key=lambda clip: (clip.duration, clip.start), default=None)


def neighbour_clip_start(clips: Sequence[ClipRecord], time: float, step: int) -> float | None:
    """The start of the next clip after ``time`` (``step`` > 0) or the last one before it."""
    starts = sorted({clip.start for clip in clips})
    if step > 0:
        return next((s for s in starts if s > time + TIME_TOLERANCE), None)
    return next((s for s in reversed(starts) if s < time - TIME_TOLERANCE), None)


def clip_frames(start: float, end: float, fps: float) -> range:
    """The frames a clip holds, as training puts them in its bag: [⌈start·fps⌉, ⌈end·fps⌉)."""
    return range(math.ceil(start * fps - TIME_TOLERANCE), math.ceil(end * fps - TIME_TOLERANCE))


def labels_by_video(session: Session) -> dict[int, tuple[str, ...]]:
    """The labels on each video's clips (videos without any are left out), for the library."""
    rows = session.execute(
        select(Clip.video_id, Label.name)
        .join(ClipLabel, ClipLabel.clip_id == Clip.id)
        .join(Label, Label.id == ClipLabel.label_id)
        .distinct()
        .order_by(Clip.video_id, Label.name)
    )
    found: dict[int, list[str]] = {}
    for video_id, name in rows:
        found.setdefault(video_id, []).append(name)
    return {video_id: tuple(names) for video_id, names in found.items()}
