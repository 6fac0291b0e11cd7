"""`wsad eval run`: a run's Frame AP and Video AP on a split, from its stored predictions.

Frame AP (AVA protocol) is computed where the project holds ground-truth boxes on annotated
frames; Video AP (UCF101-24 protocol, ST-IoU 0.2 and 0.5, and the 0.5:0.95 mean) where it
holds ground-truth tubes, i.e. every-frame ground truth (or from a UCF101-24 pickle given
with ``video_gt``). When the stored predictions do not cover the split's videos, the run
predicts them first (together with the videos it already had, which stay drawable).

Results go to ``runs/<id>/metrics.json`` (one entry per split: the latest evaluation, with
every detection set's latest under ``by_detection_set``, so scoring a run on test proposals
keeps its score on the boxes it trained on) and the runs table (``frame_ap_<split>``,
``video_ap_<split>`` at 0.5, ``video_ap@0.2_<split>``, and ``per_class_<split>``: the latest),
with ``ap_per_class_<split>.png`` and ``pr_curves_<split>.png``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timezone
from pathlib import Path
from typing import Any

from wsad_core.errors import WsadError
from wsad_core.evaluate.ava_io import AvaArrays
from wsad_core.evaluate.frame_ap import FrameApResult, frame_ap
from wsad_core.evaluate.metrics_file import with_history
from wsad_core.evaluate.pr_curves import PrCurve, frame_pr_curves
from wsad_core.evaluate.report_plots import plot_per_class_ap, plot_pr_curves
from wsad_core.evaluate.run_detections import detected_tubes, keyframe_rows, label_ids, project_gt_tubes
from wsad_core.evaluate.video_ap import GtTube, video_ap_range
from wsad_core.files import atomic_output
from wsad_core.infer.predict import PredictOptions, Progress, predict_run, select_videos
from wsad_core.project import PredictionSetRecord, Project, VideoRecord
from wsad_core.project.ground_truth import ground_truth_rows

VIDEO_AP_THRESHOLDS = (0.2, 0.5)


@dataclass
class RunEvaluation:
    split: str
    videos: list[str]
    predicted: bool  # whether predictions were (re)made for this evaluation
    checkpoint: str = ""
    detection_set: str = ""  # the key of the person boxes that were scored
    frame_ap: FrameApResult | None = None
    class_names: dict[int, str] = field(default_factory=dict)  # AVA action id -> name
    video_ap: dict[float, dict[str, float]] = field(default_factory=dict)  # threshold -> per class
    video_map: dict[str, float] = field(default_factory=dict)  # "0.2", "0.5", "0.5:0.95" -> mAP
    video_gt_source: str | None = None
    files: dict[str, Path] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def finite(value: float | None) -> float | None:
            return None if value is None or math.isnan(value) else float(value)

        frame = None
        if self.frame_ap is not None:
            frame = {
                "mAP": finite(self.frame_ap.map),
                "per_class": {self.class_names[c]: finite(ap) for c, ap in self.frame_ap.per_class.items()},
                "action_ids": {self.class_names[c]: c for c in self.frame_ap.per_class},
                "n_gt": self.frame_ap.n_gt,
                "n_det": self.frame_ap.n_det,
            }
        video = None
        if self.video_ap:
            video = {
                "mAP": {k: finite(v) for k, v in self.video_map.items()},
                "per_class": {f"{t:g}": {n: finite(ap) for n, ap in aps.items()} for t, aps in self.video_ap.items()},
                "ground_truth": self.video_gt_source,
            }
        return {"split": self.split, "checkpoint": self.checkpoint, "detection_set": self.detection_set,
                "videos": self.videos,
                "frame_ap": frame, "video_ap": video}


def _stale(record: PredictionSetRecord, run_dir: Path) -> bool:
    """Whether the checkpoint the predictions came from has changed since (training went on)."""
    checkpoint = run_dir / record.checkpoint
    made = record.created_at if record.created_at.tzinfo else record.created_at.replace(tzinfo=timezone.utc)
    return checkpoint.is_file() and checkpoint.stat().st_mtime > made.timestamp()


def ensure_predictions(
    project: Project, run: int | str, videos: Sequence[VideoRecord], options: PredictOptions, progress: Progress | None
) -> bool:
    """Predict when the stored predictions miss some of ``videos``, are older than their
    checkpoint, or were made on another detection set than ``options.detections`` asks for
    (None: keep the stored set's); True when it did."""
    record = project.prediction_set(run)
    have = set(record.videos) if record is not None else set()
    wanted = {v.name for v in videos}
    stored_set = record.settings.get("detection_set") if record is not None else None
    other_set = options.detections is not None and options.detections != stored_set
    if record is not None and wanted <= have and not other_set and not _stale(record, project.run_dir(run)):
        return False
    if record is not None:
        options = replace(options, tubelet_stride=int(record.settings.get("tubelet_stride", 1)),
                          checkpoint=options.checkpoint or project.run_dir(run) / record.checkpoint,
                          detections=options.detections or stored_set)
    predict_run(project, run, replace(options, split="all", videos=tuple(sorted(have | wanted))), progress=progress)
    return True


def _ucf_gt_tubes(path: Path, names: set[str]) -> dict[str, list[GtTube]]:
    from wsad_core.formats import read_ucf24

    annotations = read_ucf24(path)
    return {
        name: [GtTube(annotations.labels[t.label], t.frames, t.boxes) for t in video.tubes]
        for name, video in annotations.videos.items()
        if name in names
    }


def evaluate_run(
    project: Project,
    run: int | str,
    *,
    split: str = "val",
    video_gt: Path | None = None,
    options: PredictOptions | None = None,
    progress: Progress | None = None,
) -> RunEvaluation:
    """Frame AP and Video AP of the run on ``split`` (train, val, test or all)."""
    videos = select_videos(project, split)
    names = [v.name for v in videos]
    predicted = ensure_predictions(project, run, videos, options or PredictOptions(), progress)
    predictions = project.predictions(run)
    result = RunEvaluation(split, names, predicted, predictions.record.checkpoint,
                           str(predictions.record.settings.get("detection_set", "")))

    with project.reading() as session:
        gt_rows = ground_truth_rows(session, video_ids=[v.id for v in videos])
    ids = label_ids(project, predictions.labels)
    if gt_rows and ids:
        # Videos of the split without ground truth are not annotated-empty: leave them out,
        # or Frame AP would count their 1 Hz keyframe boxes as false positives.
        annotated = {row.video_id for row in gt_rows}
        detections = keyframe_rows(predictions, ids, [n for n in names if n in annotated])
        result.class_names = {action: name for name, action in ids.items()}
        result.frame_ap = frame_ap(AvaArrays.from_rows(gt_rows), AvaArrays.from_rows(detections), list(ids.values()))
        curves = frame_pr_curves(gt_rows, detections, list(ids.values()))
    else:
        curves = {}

    gt_tubes = _ucf_gt_tubes(video_gt, set(names)) if video_gt is not None else project_gt_tubes(project, videos)
    if any(gt_tubes.values()):
        result.video_gt_source = str(video_gt) if video_gt is not None else "project (every-frame ground truth)"
        ranged = video_ap_range(gt_tubes, detected_tubes(predictions, names), list(predictions.labels),
                                thresholds=[*VIDEO_AP_THRESHOLDS, *[0.5 + 0.05 * i for i in range(1, 10)]])
        for threshold in VIDEO_AP_THRESHOLDS:
            at = ranged.per_threshold[round(threshold, 4)]
            result.video_ap[threshold] = dict(at.per_class)
            result.video_map[f"{threshold:g}"] = at.map
        tail = [r.map for t, r in ranged.per_threshold.items() if t >= 0.5 and not math.isnan(r.map)]
        result.video_map["0.5:0.95"] = sum(tail) / len(tail) if tail else math.nan

    if result.frame_ap is None and not result.video_ap:
        raise WsadError(f"no ground truth on the {split!r} videos to evaluate against (boxes or tubes)")
    _save(project, run, result, curves)
    return result


def _save(project: Project, run: int | str, result: RunEvaluation, curves: dict[int, PrCurve]) -> None:
    run_dir = project.run_dir(run)
    split = result.split
    summary = result.to_json()
    metrics_path = run_dir / "metrics.json"
    stored = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    stored[split] = with_history(stored.get(split), summary)
    with atomic_output(metrics_path, force=True) as temp:
        temp.write_text(json.dumps(stored, indent=2))
    result.files["metrics"] = metrics_path

    series: dict[str, dict[str, float | None]] = {}
    if summary["frame_ap"] is not None:
        series["Frame AP"] = summary["frame_ap"]["per_class"]
    if summary["video_ap"] is not None:
        series["Video AP@0.5"] = summary["video_ap"]["per_class"]["0.5"]
    chart = run_dir / f"ap_per_class_{split}.png"
    with atomic_output(chart, force=True) as temp:
        plot_per_class_ap(series, temp, title=f"run {project.run(run).id}: per-class AP ({split})")
    result.files["ap_chart"] = chart
    if curves:
        pr = run_dir / f"pr_curves_{split}.png"
        named = {result.class_names[c]: curve for c, curve in curves.items()}
        with atomic_output(pr, force=True) as temp:
            plot_pr_curves(named, temp, title=f"Frame AP precision-recall ({split})")
        result.files["pr_curves"] = pr

    metrics: dict[str, Any] = {f"per_class_{split}": {
        "frame_ap": None if summary["frame_ap"] is None else summary["frame_ap"]["per_class"],
        "video_ap": None if summary["video_ap"] is None else summary["video_ap"]["per_class"]["0.5"],
    }}
    if summary["frame_ap"] is not None:
        metrics[f"frame_ap_{split}"] = summary["frame_ap"]["mAP"]
    if summary["video_ap"] is not None:
        metrics[f"video_ap_{split}"] = summary["video_ap"]["mAP"]["0.5"]
        metrics[f"video_ap@0.2_{split}"] = summary["video_ap"]["mAP"]["0.2"]
    project.update_run(run, metrics=metrics)
