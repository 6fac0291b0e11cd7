"""The Project API: what the CLI, the studio and scripts do to a project.

Each method is one transaction: it changes everything it was asked to, or nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from wsad_core.errors import ProjectError, VideoError
from wsad_core.project import clips as clip_ops
from wsad_core.project import ground_truth
from wsad_core.project import labels as label_ops
from wsad_core.project import predictions as prediction_ops
from wsad_core.project import runs as run_ops
from wsad_core.project import videos as video_ops
from wsad_core.project.records import (
    ClipRecord,
    ImportReport,
    LabelRecord,
    VideoRecord,
)
from wsad_core.project.prediction_reader import RunPredictions
from wsad_core.project.predictions import PredictedTubeRecord, PredictionSetRecord, VideoPredictions
from wsad_core.project.runs import RunRecord
from wsad_core.project.schema import AnnotatedFrame, Clip, GtBox, Label, Run, Video
from wsad_core.project.store import ProjectStore
from wsad_core.video import find_video_files, probe_video

ProgressCallback = Callable[[int, int, Path], None]


class Project(ProjectStore):
    """A wsad-studio project; open with :meth:`open`, create with :meth:`create`."""

    # Labels ------------------------------------------------------------------------------
    def labels(self) -> list[LabelRecord]:
        with self.reading() as session:
            return label_ops.list_labels(session)

    def add_label(
        self,
        name: str,
        *,
        external_id: int | None = None,
        color: str | None = None,
        shortcut: str | None = None,
    ) -> LabelRecord:
        with self.transaction() as session:
            label = label_ops.add_label(
                session, name, external_id=external_id, color=color, shortcut=shortcut
            )
            return label_ops.to_record(label)

    def add_labels(self, names: Iterable[str]) -> list[LabelRecord]:
        with self.transaction() as session:
            return [label_ops.to_record(label_ops.add_label(session, n)) for n in names]

    def add_label_map(self, source: str | Path) -> list[LabelRecord]:
        """Add a label map: a built-in name (``ava-v2.2``, ``ava-v2.2-eval``, ``ucf101-24``)
        or a pbtxt file. Returns the labels that were added."""
        entries = label_ops.label_map_entries(source)
        with self.transaction() as session:
            added = label_ops.add_label_map(session, entries)
            return [label_ops.to_record(label) for label in added]

    def update_label(
        self,
        name: str,
        *,
        new_name: str | None = None,
        color: str | None = None,
        shortcut: str | None = None,
    ) -> LabelRecord:
        with self.transaction() as session:
            label = label_ops.update_label(
                session, name, new_name=new_name, color=color, shortcut=shortcut
            )
            return label_ops.to_record(label)

    def set_label_shortcut(self, name: str, shortcut: str | None) -> LabelRecord:
        """Set or clear (None) a label's key."""
        with self.transaction() as session:
            return label_ops.to_record(label_ops.set_label_shortcut(session, name, shortcut))

    def remove_label(self, name: str) -> None:
        with self.transaction() as session:
            label_ops.remove_label(session, name)

    # Videos ------------------------------------------------------------------------------
    def import_videos(
        self,
        paths: Iterable[str | Path],
        *,
        recursive: bool = True,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        """Import files and folders. Each file is committed on its own, so an interrupted
        import keeps what it finished; unreadable files are kept with status ``error``."""
        files = find_video_files([Path(p) for p in paths], recursive=recursive)
        report = ImportReport()
        for done, path in enumerate(files):
            path = path.resolve()
            fingerprint, size = video_ops.fingerprint_and_size(path)
            with self.reading() as session:
                duplicate = video_ops.known_copy(session, path, fingerprint)
            if duplicate is not None:
                report.duplicates.append(str(path))
            else:
                try:
                    info, error = probe_video(path), None
                except VideoError as exc:
                    info, error = None, exc.reason
                with self.transaction() as session:
                    outcome, video = video_ops.record_video_file(
                        session, path, fingerprint, size, info, error
                    )
                    record = video_ops.to_record(video)
                if outcome == "duplicate":
                    report.duplicates.append(str(path))
                else:
                    {"added": report.added, "linked": report.linked, "error": report.errors}[
                        outcome
                    ].append(record)
            if progress is not None:
                progress(done + 1, len(files), path)
        return report

    def videos(
        self, *, status: str | None = None, label: str | None = None, text: str | None = None
    ) -> list[VideoRecord]:
        with self.reading() as session:
            return video_ops.list_videos(session, status=status, label=label, text=text)

    def video(self, key: str | int) -> VideoRecord:
        with self.reading() as session:
            return video_ops.to_record(video_ops.get_video(session, key))

    def relink_video(self, key: str | int, new_path: str | Path) -> VideoRecord:
        path = Path(new_path).resolve()
        fingerprint, _ = video_ops.fingerprint_and_size(path)
        with self.transaction() as session:
            return video_ops.to_record(video_ops.relink_video(session, key, path, fingerprint))

    def set_video_splits(self, splits: dict[str | int, str | None]) -> None:
        """Assign videos to ``train``, ``val`` or ``test`` (None: no split), all or none."""
        with self.transaction() as session:
            for key, split in splits.items():
                ground_truth.check_split(split)
                video_ops.get_video(session, key).split = split

    def missing_videos(self) -> list[VideoRecord]:
        with self.reading() as session:
            return [video_ops.to_record(v) for v in video_ops.missing_files(session)]

    # Clips -------------------------------------------------------------------------------
    def clips(
        self,
        *,
        video: str | int | None = None,
        label: str | None = None,
        labelled: bool | None = None,
        kind: str | None = None,
    ) -> list[ClipRecord]:
        with self.reading() as session:
            video_id = None if video is None else video_ops.get_video(session, video).id
            return clip_ops.list_clips(
                session, video_id=video_id, label=label, labelled=labelled, kind=kind
            )

    def labels_by_video(self) -> dict[int, tuple[str, ...]]:
        """Video id → the labels on its clips (videos with none are left out)."""
        with self.reading() as session:
            return clip_ops.labels_by_video(session)

    def add_clip(self, video: str | int, start: float, end: float) -> ClipRecord:
        with self.transaction() as session:
            clip = clip_ops.get_or_add_clip(session, video_ops.get_video(session, video), start, end)
            return clip_ops.to_record(clip)

    def add_intervals(
        self, video: str | int, intervals: Iterable[tuple[float, float]]
    ) -> list[ClipRecord]:
        with self.transaction() as session:
            made = clip_ops.add_intervals(session, video_ops.get_video(session, video), intervals)
            return [clip_ops.to_record(clip) for clip in made]

    def split_videos(
        self, seconds: float, videos: Sequence[str | int] | None = None
    ) -> list[ClipRecord]:
        """Fixed-length sub-clips of the given videos (all usable videos when None)."""
        with self.transaction() as session:
            if videos is None:
                targets = list(
                    session.scalars(select(Video).where(Video.duration.is_not(None)).order_by(Video.id))
                )
            else:
                targets = [video_ops.get_video(session, key) for key in videos]
            made = [c for v in targets for c in clip_ops.split_video(session, v, seconds)]
            return [clip_ops.to_record(clip) for clip in made]

    def set_clip_labels(self, clip_id: int, labels: Sequence[str], *, by: str = "user") -> ClipRecord:
        with self.transaction() as session:
            clip = clip_ops.set_clip_labels(session, clip_ops.get_clip(session, clip_id), labels, by)
            return clip_ops.to_record(clip)

    def add_clip_label(self, clip_id: int, label: str, *, by: str = "user") -> ClipRecord:
        with self.transaction() as session:
            clip = clip_ops.add_clip_label(session, clip_ops.get_clip(session, clip_id), label, by)
            return clip_ops.to_record(clip)

    def remove_clip_label(self, clip_id: int, label: str, *, by: str = "user") -> ClipRecord:
        with self.transaction() as session:
            clip = clip_ops.remove_clip_label(session, clip_ops.get_clip(session, clip_id), label, by)
            return clip_ops.to_record(clip)

    def clear_clip_labels(self, clip_id: int) -> ClipRecord:
        with self.transaction() as session:
            clip = clip_ops.clear_clip_labels(session, clip_ops.get_clip(session, clip_id))
            return clip_ops.to_record(clip)

    def remove_clip(self, clip_id: int) -> None:
        with self.transaction() as session:
            clip_ops.remove_clip(session, clip_ops.get_clip(session, clip_id))

    # Ground truth and weak labels --------------------------------------------------------
    def derive_weak_labels(
        self,
        seconds: float | None,
        *,
        videos: Sequence[str | int] | None = None,
        overwrite: bool = False,
    ) -> ground_truth.DerivedLabelsReport:
        with self.transaction() as session:
            ids = None if videos is None else [video_ops.get_video(session, v).id for v in videos]
            return ground_truth.derive_weak_labels(session, seconds, video_ids=ids, overwrite=overwrite)

    def ground_truth_boxes(self, video: str | int) -> dict[int, list[label_ops.FrameBox]]:
        """Annotated frames of a video by frame index, each with its ground-truth boxes."""
        with self.reading() as session:
            return label_ops.ground_truth_boxes(session, video_ops.get_video(session, video).id)

    def ground_truth_people(self, videos: Iterable[str]) -> dict[tuple[str, int], list[label_ops.GtPerson]]:
        """The people (box and actions) on every annotated frame of the named videos."""
        with self.reading() as session:
            return label_ops.ground_truth_people(session, videos)

    # Runs --------------------------------------------------------------------------------
    def create_run(self, name: str, config: dict, *, kind: str = "train") -> RunRecord:
        with self.transaction() as session:
            run = run_ops.create_run(session, name, config, kind)
            record = run_ops.to_record(run)
        (self.runs_dir / str(record.id)).mkdir(parents=True, exist_ok=True)
        return record

    def update_run(
        self, key: int | str, *, status: str | None = None, metrics: dict | None = None, error: str | None = None
    ) -> RunRecord:
        with self.transaction() as session:
            return run_ops.to_record(run_ops.update_run(session, key, status=status, metrics=metrics, error=error))

    def run(self, key: int | str) -> RunRecord:
        with self.reading() as session:
            return run_ops.to_record(run_ops.get_run(session, key))

    def runs(self) -> list[RunRecord]:
        with self.reading() as session:
            return [run_ops.to_record(r) for r in session.scalars(select(Run).order_by(Run.id))]

    def run_dir(self, key: int | str) -> Path:
        return self.runs_dir / str(self.run(key).id)

    # Predictions -------------------------------------------------------------------------
    def store_predictions(
        self,
        run: int | str,
        predictions: Iterable[VideoPredictions] | Mapping[str, VideoPredictions],
        *,
        labels: Sequence[str],
        checkpoint: str,
        settings: Mapping[str, Any] | None = None,
    ) -> PredictionSetRecord:
        """Replace the run's stored predictions with these, all at once (see
        :mod:`wsad_core.project.predictions`): on any error, even while ``predictions`` (which
        may be a generator, one video at a time) is being produced, the previous ones stay."""
        run_id = self.run(run).id
        run_dir = self.runs_dir / str(run_id)
        videos = predictions.values() if isinstance(predictions, Mapping) else predictions
        folder, written = prediction_ops.write_prediction_folder(run_dir, videos)
        try:
            with self.transaction() as session:
                prediction_ops.replace_prediction_rows(
                    session, run_id, folder, written, labels=labels, checkpoint=checkpoint, settings=settings or {},
                )
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        prediction_ops.remove_other_folders(run_dir, folder.name)
        record = self.prediction_set(run_id)
        assert record is not None
        return record

    def prediction_set(self, run: int | str) -> PredictionSetRecord | None:
        """What the run's stored predictions cover, or None before `wsad predict`."""
        with self.reading() as session:
            run_id = run_ops.get_run(session, run).id
            return prediction_ops.prediction_set_record(session, run_id, self.runs_dir / str(run_id))

    def predictions(self, run: int | str) -> RunPredictions:
        """The run's stored predictions, to draw (``tubes_at(video, frame)``), evaluate or export."""
        record = self.prediction_set(run)
        if record is None:
            raise ProjectError(f"run {run!r} has no stored predictions: run `wsad predict {run}` first")
        return RunPredictions(record)

    def predicted_tubes(
        self, run: int | str, *, video: str | None = None, min_score: float = 0.0
    ) -> list[PredictedTubeRecord]:
        """The run's action tubes (spans, labels, scores) without their boxes: timelines, filters."""
        with self.reading() as session:
            run_id = run_ops.get_run(session, run).id
            return prediction_ops.predicted_tube_records(session, run_id, video=video, min_score=min_score)

    # Summary -----------------------------------------------------------------------------
    def summary(self) -> dict[str, object]:
        """Counts for `wsad info` and the studio's status bar."""
        with self.reading() as session:
            def count(model, *where):  # noqa: ANN001, ANN202
                return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

            statuses = dict(
                session.execute(select(Video.status, func.count()).group_by(Video.status)).all()
            )
            return {
                "root": str(self.root),
                "labels": count(Label),
                "videos": sum(statuses.values()),
                "videos_by_status": statuses,
                "clips": count(Clip),
                "labelled_clips": count(Clip, Clip.labelled_at.is_not(None)),
                "annotated_frames": count(AnnotatedFrame),
                "gt_boxes": count(GtBox),
                "runs": count(Run),
            }
