"""A run's stored predictions: arrays per video on disk, indexed by the project database.

Storage. Scores for every class of every scored box are far too many for rows (AVA: hundreds
of thousands of boxes × 80 classes, twice with the uncertainties), and nobody queries them
one by one: the studio draws one video at a time, evaluation and export read them all. So
each video's predictions are one uncompressed ``.npz`` (``np.load`` reads a key without
parsing anything else; a 15-minute AVA video is a few tens of MB) in a folder of the run,
``runs/<id>/predictions-<stamp>/``. The database holds what is queried across videos: a
``prediction_sets`` row per run (folder, checkpoint, label order, counts), a
``predicted_videos`` row per video, and the action tubes as ``predicted_tubes`` rows
(one per linked person track and class: hundreds per video, not per frame) for timelines,
score filters and label suggestions. Keeping only rows above a score floor was rejected:
AP ranks every detection, and an AVA export lists every class of every box, so a floor
would change the numbers. Reading is :mod:`wsad_core.project.prediction_reader`.

Replacement is atomic: a new set is written to a fresh folder, the rows are swapped in one
transaction, and only then are older folders removed. A predict that fails before the
commit leaves the previous set, rows and files, as it was; a crash after it leaves at
worst an unreferenced folder, removed by the next store.

Arrays of one video (``C`` classes in the set's label order, frames 0-based):

- tubelets, scored at their centre frame: ``tubelet_track`` (N,), ``tubelet_first`` (N,),
  ``tubelet_boxes`` (N, K, 4) pixels, ``tubelet_scores`` (N, C), ``tubelet_uncertainty``
  (N, C) σ²;
- keyframe boxes (the person boxes on annotated frames, or 1 Hz frames without ground
  truth), scored with the clip centred on the keyframe as AVA detections are:
  ``keyframe_frame``, ``keyframe_time`` (s), ``keyframe_track``, ``keyframe_boxes``
  (M, 4) normalised to [0, 1] as in AVA files, ``keyframe_scores``, ``keyframe_uncertainty``;
- action tubes, packed: ``tube_label``, ``tube_score``, ``tube_offsets`` (T + 1,), and per
  tube frame ``tube_frames``, ``tube_boxes`` (pixels), ``tube_frame_scores``,
  ``tube_frame_uncertainty``.

Uncertainties are NaN-free arrays or absent (a run trained without the uncertainty head).
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from wsad_core.errors import ProjectError
from wsad_core.project.schema import PredictedTube, PredictedVideo, PredictionSet, Video

if TYPE_CHECKING:  # importing wsad_core.tubes loads torch, which opening a project does not need
    from wsad_core.tubes.action_tubes import ActionTube

FOLDER_PREFIX = "predictions-"


@dataclass(frozen=True, eq=False)
class VideoPredictions:
    """Everything a run predicted on one video (see the module docstring for the arrays)."""

    video: str
    width: int
    height: int
    tubelet_track: np.ndarray
    tubelet_first: np.ndarray
    tubelet_boxes: np.ndarray
    tubelet_scores: np.ndarray
    tubelet_uncertainty: np.ndarray | None
    keyframe_frame: np.ndarray
    keyframe_time: np.ndarray
    keyframe_track: np.ndarray
    keyframe_boxes: np.ndarray
    keyframe_scores: np.ndarray
    keyframe_uncertainty: np.ndarray | None
    tubes: tuple[ActionTube, ...]

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {
            name: getattr(self, name)
            for name in (
                "tubelet_track", "tubelet_first", "tubelet_boxes", "tubelet_scores",
                "keyframe_frame", "keyframe_time", "keyframe_track", "keyframe_boxes", "keyframe_scores",
            )
        }
        if self.tubelet_uncertainty is not None:
            arrays["tubelet_uncertainty"] = self.tubelet_uncertainty
        if self.keyframe_uncertainty is not None:
            arrays["keyframe_uncertainty"] = self.keyframe_uncertainty
        arrays.update(_pack_tubes(self.tubes))
        arrays["size"] = np.array([self.width, self.height], dtype=np.int64)
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)

    @classmethod
    def load(cls, path: Path, video: str) -> VideoPredictions:
        try:
            data = np.load(path)
        except (OSError, ValueError) as exc:
            raise ProjectError(f"{path}: stored predictions cannot be read ({exc})") from None
        with data:
            get = {name: data[name] for name in data.files}
        width, height = (int(v) for v in get["size"])
        return cls(
            video, width, height,
            get["tubelet_track"], get["tubelet_first"], get["tubelet_boxes"], get["tubelet_scores"],
            get.get("tubelet_uncertainty"),
            get["keyframe_frame"], get["keyframe_time"], get["keyframe_track"], get["keyframe_boxes"],
            get["keyframe_scores"], get.get("keyframe_uncertainty"),
            _unpack_tubes(video, get),
        )


def _pack_tubes(tubes: Sequence[ActionTube]) -> dict[str, np.ndarray]:
    lengths = [len(t.frames) for t in tubes]
    with_uncertainty = all(t.frame_uncertainty is not None for t in tubes)

    def cat(values: list[np.ndarray], shape: tuple[int, ...], dtype: type) -> np.ndarray:
        return np.concatenate(values).astype(dtype) if values else np.zeros(shape, dtype=dtype)

    packed = {
        "tube_label": np.array([t.label_index for t in tubes], dtype=np.int32),
        "tube_score": np.array([t.score for t in tubes], dtype=np.float64),
        "tube_offsets": np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        "tube_frames": cat([np.asarray(t.frames) for t in tubes], (0,), np.int32),
        "tube_boxes": cat([np.asarray(t.boxes).reshape(-1, 4) for t in tubes], (0, 4), np.float64),
        "tube_frame_scores": cat([np.asarray(t.frame_scores) for t in tubes], (0,), np.float32),
    }
    if with_uncertainty and tubes:
        packed["tube_frame_uncertainty"] = cat([np.asarray(t.frame_uncertainty) for t in tubes], (0,), np.float32)
    return packed


def _unpack_tubes(video: str, data: Mapping[str, np.ndarray]) -> tuple[ActionTube, ...]:
    from wsad_core.tubes.action_tubes import ActionTube

    offsets = data["tube_offsets"]
    uncertainty = data.get("tube_frame_uncertainty")
    tubes = []
    for index, (label, score) in enumerate(zip(data["tube_label"], data["tube_score"])):
        span = slice(int(offsets[index]), int(offsets[index + 1]))
        tubes.append(
            ActionTube(
                video, int(label), float(score), data["tube_frames"][span].astype(np.int64),
                data["tube_boxes"][span].astype(np.float64), data["tube_frame_scores"][span],
                None if uncertainty is None else uncertainty[span],
            )
        )
    return tuple(tubes)


@dataclass(frozen=True)
class PredictionSetRecord:
    run_id: int
    folder: Path
    checkpoint: str  # relative to the run's folder when inside it
    labels: tuple[str, ...]
    settings: dict[str, Any]
    videos: dict[str, str]  # video name -> file name in ``folder``
    tubelets: int
    keyframe_boxes: int
    tubes: int
    created_at: datetime


@dataclass(frozen=True)
class PredictedTubeRecord:
    video: str
    tube_index: int
    label: str
    label_index: int
    score: float
    first_frame: int
    last_frame: int
    uncertainty: float | None


@dataclass(frozen=True)
class WrittenVideo:
    """What the database keeps of a video's predictions once its arrays are on disk."""

    video: str
    file: str
    tubelets: int
    keyframe_boxes: int
    tubes: list[dict[str, Any]]  # tube_index, label_index, score, first_frame, last_frame, uncertainty


def _summary(video: VideoPredictions, file: str) -> WrittenVideo:
    tubes = [
        dict(tube_index=index, label_index=int(tube.label_index), score=float(tube.score),
             first_frame=int(tube.frames[0]), last_frame=int(tube.frames[-1]),
             uncertainty=None if tube.frame_uncertainty is None else float(np.mean(tube.frame_uncertainty)))
        for index, tube in enumerate(video.tubes)
    ]
    return WrittenVideo(video.video, file, len(video.tubelet_track), len(video.keyframe_frame), tubes)


def write_prediction_folder(run_dir: Path, predictions: Iterable[VideoPredictions]) -> tuple[Path, list[WrittenVideo]]:
    """Write each video's arrays, as they come, to a new folder of the run (renamed into
    place once complete), so that only one video's predictions need be in memory."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    folder = run_dir / f"{FOLDER_PREFIX}{stamp}-{secrets.token_hex(3)}"
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True)
    written: list[WrittenVideo] = []
    try:
        for video in predictions:
            if any(w.video == video.video for w in written):
                raise ProjectError(f"predictions given twice for video {video.video!r}")
            file = f"{len(written):05d}.npz"
            video.save(partial / file)
            written.append(_summary(video, file))
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder, written


def replace_prediction_rows(
    session: Session,
    run_id: int,
    folder: Path,
    written: Sequence[WrittenVideo],
    *,
    labels: Sequence[str],
    checkpoint: str,
    settings: Mapping[str, Any],
) -> None:
    """Swap the run's rows for the new set's (inside the caller's transaction)."""
    names = [w.video for w in written]
    video_ids = dict(session.execute(select(Video.name, Video.id).where(Video.name.in_(names))).all())
    missing = sorted(set(names) - set(video_ids))
    if missing:
        raise ProjectError(f"predictions for videos the project does not have: {', '.join(missing)}")
    session.execute(delete(PredictionSet).where(PredictionSet.run_id == run_id))
    session.flush()
    session.add(
        PredictionSet(
            run_id=run_id, folder=folder.name, checkpoint=checkpoint, labels=json.dumps(list(labels)),
            settings=json.dumps(dict(settings), default=str), tubelets=sum(w.tubelets for w in written),
            keyframe_boxes=sum(w.keyframe_boxes for w in written), tubes=sum(len(w.tubes) for w in written),
        )
    )
    session.flush()
    videos = [
        dict(run_id=run_id, video_id=video_ids[w.video], file=w.file, tubelets=w.tubelets,
             keyframe_boxes=w.keyframe_boxes, tubes=len(w.tubes))
        for w in written
    ]
    if videos:
        session.execute(insert(PredictedVideo), videos)
    tubes = [
        dict(run_id=run_id, video_id=video_ids[w.video], label=labels[tube["label_index"]], **tube)
        for w in written
        for tube in w.tubes
    ]
    if tubes:
        session.execute(insert(PredictedTube), tubes)
    session.flush()


def remove_other_folders(run_dir: Path, keep: str | None) -> None:
    """Delete prediction folders of the run other than ``keep`` (old sets, crash leftovers)."""
    for path in run_dir.glob(f"{FOLDER_PREFIX}*"):
        if path.is_dir() and path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def prediction_set_record(session: Session, run_id: int, run_dir: Path) -> PredictionSetRecord | None:
    row = session.get(PredictionSet, run_id)
    if row is None:
        return None
    videos = dict(
        session.execute(
            select(Video.name, PredictedVideo.file)
            .join(Video, Video.id == PredictedVideo.video_id)
            .where(PredictedVideo.run_id == run_id)
            .order_by(Video.name)
        ).all()
    )
    return PredictionSetRecord(
        run_id, run_dir / row.folder, row.checkpoint, tuple(json.loads(row.labels)), json.loads(row.settings),
        videos, row.tubelets, row.keyframe_boxes, row.tubes, row.created_at,
    )


def predicted_tube_records(
    session: Session, run_id: int, *, video: str | None = None, min_score: float = 0.0
) -> list[PredictedTubeRecord]:
    query = (
        select(PredictedTube, Video.name)
        .join(Video, Video.id == PredictedTube.video_id)
        .where(PredictedTube.run_id == run_id, PredictedTube.score >= min_score)
        .order_by(Video.name, PredictedTube.first_frame, PredictedTube.tube_index)
    )
    if video is not None:
        query = query.where(Video.name == video)
    return [
        PredictedTubeRecord(name, t.tube_index, t.label, t.label_index, t.score, t.first_frame, t.last_frame,
                            t.uncertainty)
        for t, name in session.execute(query)
    ]
