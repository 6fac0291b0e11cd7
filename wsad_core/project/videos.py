"""Videos in a project: import (probe, fingerprint, de-duplicate, link), queries, relinking."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Integer, cast, func, or_, select, update
from sqlalchemy.orm import Session

from wsad_core.errors import ProjectError, VideoError
from wsad_core.project.records import VideoRecord
from wsad_core.project.schema import AnnotatedFrame, Clip, ClipLabel, Label, Video
from wsad_core.video import VideoInfo, fingerprint_file, probe_video

VIDEO_STATUSES = ("ok", "error", "missing")


def to_record(video: Video) -> VideoRecord:
    return VideoRecord(
        id=video.id,
        name=video.name,
        path=video.path,
        status=video.status,
        error=video.error,
        size=video.size,
        fingerprint=video.fingerprint,
        fps=video.fps,
        frame_count=video.frame_count,
        duration=video.duration,
        width=video.width,
        height=video.height,
        codec=video.codec,
        split=video.split,
    )


def get_video(session: Session, key: str | int) -> Video:
    """A video by its name (the data set's id or the file's stem), path, or numeric id."""
    text = str(key)
    candidates = list(session.scalars(select(Video).where(Video.name == text)))
    if not candidates:
        resolved = str(Path(text).expanduser().resolve()) if text else text
        candidates = list(session.scalars(select(Video).where(Video.path.in_([text, resolved]))))
    if not candidates and text.isdigit():
        by_id = session.get(Video, int(text))
        candidates = [by_id] if by_id is not None else []
    if not candidates:
        candidates = list(session.scalars(select(Video).where(Video.name.endswith("/" + text))))
    if not candidates:
        raise ProjectError(f"no video {text!r} in the project (see `wsad info --videos`)")
    if len(candidates) > 1:
        paths = ", ".join(str(v.path or v.name) for v in candidates[:3])
        raise ProjectError(f"video name {text!r} is ambiguous ({paths}); use its id or path")
    return candidates[0]


def list_videos(
    session: Session,
    *,
    status: str | None = None,
    label: str | None = None,
    text: str | None = None,
) -> list[VideoRecord]:
    """Videos filtered by status, by a label on any of their clips, by text in name or path."""
    query = select(Video).order_by(Video.name, Video.id)
    if status is not None:
        if status not in VIDEO_STATUSES:
            raise ProjectError(f"unknown video status {status!r} (one of {', '.join(VIDEO_STATUSES)})")
        query = query.where(Video.status == status)
    if label is not None:
        query = query.where(
            Video.id.in_(
                select(Clip.video_id)
                .join(ClipLabel, ClipLabel.clip_id == Clip.id)
                .join(Label, Label.id == ClipLabel.label_id)
                .where(Label.name == label)
            )
        )
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(Video.name.ilike(pattern), Video.path.ilike(pattern)))
    return [to_record(video) for video in session.scalars(query)]


def _apply_info(video: Video, info: VideoInfo) -> None:
    video.fps = info.fps
    video.frame_count = info.frame_count
    video.duration = info.duration
    video.width = info.width
    video.height = info.height
    video.codec = info.codec
    video.status = "ok"
    video.error = None


def _fill_annotation_times(session: Session, video: Video) -> None:
    """Give annotations made before the video was known their missing frame index or time."""
    if not video.fps:
        return
    session.execute(
        update(AnnotatedFrame)
        .where(AnnotatedFrame.video_id == video.id, AnnotatedFrame.frame.is_(None))
        .values(frame=cast(func.round(AnnotatedFrame.time * video.fps), Integer))
    )
    session.execute(
        update(AnnotatedFrame)
        .where(AnnotatedFrame.video_id == video.id, AnnotatedFrame.time.is_(None))
        .values(time=AnnotatedFrame.frame / video.fps)
    )


def ensure_whole_video_clip(session: Session, video: Video) -> None:
    if not video.duration:
        return
    exists = session.scalar(
        select(Clip).where(Clip.video_id == video.id, Clip.kind == "video")
    )
    if exists is None:
        session.add(Clip(video_id=video.id, start=0.0, end=video.duration, kind="video"))
    elif abs(exists.end - video.duration) > 1e-6:
        exists.end = video.duration


def _placeholder_for(session: Session, path: Path) -> Video | None:
    """A not-yet-imported video that annotations named like this file (stem or parent/stem)."""
    names = [f"{path.parent.name}/{path.stem}", path.stem]
    for name in names:
        matches = list(
            session.scalars(
                select(Video).where(
                    Video.path.is_(None),
                    Video.status == "missing",
                    or_(Video.name == name, Video.name.endswith("/" + name)),
                )
            )
        )
        if len(matches) == 1:
            return matches[0]
    return None


def known_copy(session: Session, path: Path, fingerprint: str) -> Video | None:
    """The project's video with this content that is still in place, if any."""
    at_path = session.scalar(select(Video).where(Video.path == str(path)))
    if at_path is not None and at_path.status == "ok" and at_path.fingerprint == fingerprint:
        return at_path
    same = session.scalar(select(Video).where(Video.fingerprint == fingerprint, Video.status == "ok"))
    if same is not None and same.path and same.path != str(path) and Path(same.path).exists():
        return same
    return None


def record_video_file(
    session: Session,
    path: Path,
    fingerprint: str,
    size: int,
    info: VideoInfo | None,
    error: str | None,
) -> tuple[str, Video]:
    """Record one probed file: 'added', 'linked' (to a placeholder or a moved copy),
    'duplicate' or 'error' (kept with its reason, so the library can show it)."""
    duplicate = known_copy(session, path, fingerprint)
    if duplicate is not None:
        return "duplicate", duplicate
    video = session.scalar(select(Video).where(Video.path == str(path)))
    outcome = "added"
    if video is None:
        moved = session.scalar(
            select(Video).where(Video.fingerprint == fingerprint, Video.status == "ok")
        )
        video = moved or _placeholder_for(session, path)
        if video is not None:
            outcome = "linked"
    if video is None:
        video = Video(name=path.stem)
        session.add(video)
    video.path = str(path)
    video.size = size
    video.fingerprint = fingerprint
    if info is None:
        video.status = "error"
        video.error = error
        session.flush()
        return "error", video
    _apply_info(video, info)
    session.flush()
    ensure_whole_video_clip(session, video)
    _fill_annotation_times(session, video)
    session.flush()
    return outcome, video


ProgressCallback = Callable[[int, int, Path], None]


def relink_video(session: Session, key: str | int, new_path: Path, fingerprint: str) -> Video:
    """Point a moved video at its new location, after checking it is the same content."""
    video = get_video(session, key)
    if video.fingerprint is not None and video.fingerprint != fingerprint:
        raise ProjectError(
            f"{new_path}: not the same content as video {video.name!r} (fingerprints differ)"
        )
    other = session.scalar(select(Video).where(Video.path == str(new_path), Video.id != video.id))
    if other is not None:
        raise ProjectError(f"{new_path}: already in the project as video {other.name!r}")
    video.path = str(new_path)
    video.fingerprint = fingerprint
    if video.status == "missing" or video.duration is None:
        _apply_info(video, probe_video(new_path))
        ensure_whole_video_clip(session, video)
        _fill_annotation_times(session, video)
    video.status = "ok"
    video.error = None
    session.flush()
    return video


def fingerprint_and_size(path: Path) -> tuple[str, int]:
    return fingerprint_file(path), path.stat().st_size


def missing_files(session: Session) -> Iterable[Video]:
    """Videos whose file is no longer where the project saw it."""
    for video in session.scalars(select(Video).where(Video.path.is_not(None))):
        if not Path(video.path).exists():
            yield video
