"""The project database schema (SQLAlchemy 2 ORM).

The tables mirror the data path in DESIGN.md: a vocabulary of labels, the videos of the
project (where they are and what they are), clips (whole videos, fixed-length sub-clips or
hand-made intervals) with their weak labels, ground-truth boxes on annotated frames (for
evaluation and the fully supervised baseline), training runs and their predictions
(arrays in the run's folder, indexed here).

The schema is versioned by the Alembic migrations in ``migrations/versions``; a change here
needs a new migration there.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


SPLITS = ("train", "val", "test")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Label(Base):
    """One action class of the project's vocabulary."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    external_id: Mapped[Optional[int]] = mapped_column(Integer, unique=True)
    color: Mapped[Optional[str]] = mapped_column(String)
    shortcut: Mapped[Optional[str]] = mapped_column(String, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Video(Base):
    """A video file, or a placeholder for one that annotations name but that is not imported yet.

    ``name`` is how data sets refer to the video (AVA's video_id, UCF101-24's
    ``Class/v_Class_g01_c01``); it links annotations to files imported later.
    """

    __tablename__ = "videos"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, index=True)
    path: Mapped[Optional[str]] = mapped_column(String, unique=True)
    size: Mapped[Optional[int]] = mapped_column(Integer)
    fingerprint: Mapped[Optional[str]] = mapped_column(String, index=True)
    fps: Mapped[Optional[float]] = mapped_column(Float)
    frame_count: Mapped[Optional[int]] = mapped_column(Integer)
    duration: Mapped[Optional[float]] = mapped_column(Float)
    width: Mapped[Optional[int]] = mapped_column(Integer)
    height: Mapped[Optional[int]] = mapped_column(Integer)
    codec: Mapped[Optional[str]] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="ok")
    error: Mapped[Optional[str]] = mapped_column(Text)
    split: Mapped[Optional[str]] = mapped_column(String)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    clips: Mapped[list["Clip"]] = relationship(
        back_populates="video", cascade="all, delete-orphan", order_by="Clip.start"
    )

    __table_args__ = (
        CheckConstraint("status IN ('ok', 'error', 'missing')", name="video_status"),
        CheckConstraint("split IS NULL OR split IN ('train', 'val', 'test')", name="video_split"),
    )


class Clip(Base):
    """A time span of a video that carries weak labels (a MIL bag once tubelets exist)."""

    __tablename__ = "clips"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String, default="interval")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Set when someone decided the clip's label set, which may be empty (a negative bag);
    # NULL means nobody has labelled the clip yet.
    labelled_by: Mapped[Optional[str]] = mapped_column(String)
    labelled_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    video: Mapped[Video] = relationship(back_populates="clips")
    labels: Mapped[list["ClipLabel"]] = relationship(
        back_populates="clip", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("video_id", "start", "end", name="clip_span_unique"),
        CheckConstraint("start >= 0 AND end > start", name="clip_span_valid"),
        CheckConstraint("kind IN ('video', 'subclip', 'interval')", name="clip_kind"),
    )


class ClipLabel(Base):
    """That a clip contains an action, and who said so when."""

    __tablename__ = "clip_labels"

    clip_id: Mapped[int] = mapped_column(
        ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="RESTRICT"), primary_key=True
    )
    created_by: Mapped[str] = mapped_column(String, default="user")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    clip: Mapped[Clip] = relationship(back_populates="labels")
    label: Mapped[Label] = relationship()


class AnnotatedFrame(Base):
    """A frame (AVA keyframe, UCF tube frame) that ground truth covers, boxes or not.

    Evaluation needs the annotated frames even when they hold no box: a detection on such a
    frame is a false positive, a detection on a frame absent from the ground truth is ignored.
    """

    __tablename__ = "annotated_frames"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    # AVA annotates times, UCF101-24 frame indices; the other is filled in once the video's
    # frame rate is known.
    time: Mapped[Optional[float]] = mapped_column(Float)
    frame: Mapped[Optional[int]] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String)

    boxes: Mapped[list["GtBox"]] = relationship(
        back_populates="annotated_frame", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("video_id", "time", name="annotated_frame_time_unique"),
        UniqueConstraint("video_id", "frame", name="annotated_frame_index_unique"),
        CheckConstraint("time IS NOT NULL OR frame IS NOT NULL", name="annotated_frame_when"),
    )


class GtBox(Base):
    """One ground-truth (box, action) pair, as one row of an AVA CSV; label NULL = person only."""

    __tablename__ = "gt_boxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    annotated_frame_id: Mapped[int] = mapped_column(
        ForeignKey("annotated_frames.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[Optional[int]] = mapped_column(Integer)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    x2: Mapped[float] = mapped_column(Float)
    y2: Mapped[float] = mapped_column(Float)
    label_id: Mapped[Optional[int]] = mapped_column(ForeignKey("labels.id", ondelete="RESTRICT"))

    annotated_frame: Mapped[AnnotatedFrame] = relationship(back_populates="boxes")
    label: Mapped[Optional[Label]] = relationship()

    __table_args__ = (
        CheckConstraint(
            "x1 >= 0 AND y1 >= 0 AND x2 <= 1 AND y2 <= 1 AND x1 <= x2 AND y1 <= y2",
            name="gt_box_normalised",
        ),
    )


class Run(Base):
    """A training (or evaluation) run; its files live in ``runs/<id>/``."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String, default="train")
    status: Mapped[str] = mapped_column(String, default="queued")
    config: Mapped[str] = mapped_column(Text, default="{}")
    metrics: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'stopped', 'failed', 'done')", name="run_status"
        ),
    )


class PredictionSet(Base):
    """A run's stored predictions: one ``.npz`` of arrays per video in ``runs/<id>/<folder>/``.

    Per-tubelet and per-keyframe scores for every class are too many for rows (AVA: hundreds
    of thousands of boxes × 80 classes), so they live in arrays; the tables index them and
    hold the few action tubes, which the studio's timeline and filters query with SQL.
    """

    __tablename__ = "prediction_sets"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    folder: Mapped[str] = mapped_column(String)
    checkpoint: Mapped[str] = mapped_column(String)
    labels: Mapped[str] = mapped_column(Text)  # JSON list: the run's label names, score column order
    settings: Mapped[str] = mapped_column(Text, default="{}")  # JSON: split, frame stride, linking
    tubelets: Mapped[int] = mapped_column(Integer, default=0)
    keyframe_boxes: Mapped[int] = mapped_column(Integer, default=0)
    tubes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class PredictedVideo(Base):
    """A video a run's prediction set covers, and the file holding its arrays."""

    __tablename__ = "predicted_videos"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("prediction_sets.run_id", ondelete="CASCADE"), primary_key=True
    )
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    file: Mapped[str] = mapped_column(String)
    tubelets: Mapped[int] = mapped_column(Integer, default=0)
    keyframe_boxes: Mapped[int] = mapped_column(Integer, default=0)
    tubes: Mapped[int] = mapped_column(Integer, default=0)


class PredictedTube(Base):
    """An action tube of a run: one person doing one action over ``first_frame..last_frame``.

    Its per-frame boxes, scores and uncertainties are in the video's arrays at ``tube_index``.
    """

    __tablename__ = "predicted_tubes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("prediction_sets.run_id", ondelete="CASCADE"))
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    tube_index: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String)
    label_index: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    first_frame: Mapped[int] = mapped_column(Integer)
    last_frame: Mapped[int] = mapped_column(Integer)
    uncertainty: Mapped[Optional[float]] = mapped_column(Float)

    __table_args__ = (
        Index("predicted_tube_lookup", "run_id", "video_id", "first_frame"),
        CheckConstraint("last_frame >= first_frame", name="predicted_tube_span"),
    )
