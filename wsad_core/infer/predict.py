"""`wsad predict`: a run's scores on chosen videos, linked into action tubes, stored with the run.

Scored video by video, each box with the clip centred on its frame as the RoI head was trained to read:

- every tubelet window of the person tracks (see :mod:`wsad_core.infer.windows`) at its
  centre frame: the input of ACT's linking into action tubes (``wsad_core.tubes.linking``),
  optionally trimmed in time afterwards (``wsad_core.tubes.trimming``, off by default);
- every person box on the keyframes (the annotated frames, or 1 Hz without ground truth):
  the AVA-style detections that Frame AP and the AVA CSV export use.

The person boxes are those of the detection set the run trained on, or of another set of the
project (``PredictOptions.detections``: test proposals from another detector).
A (video, frame, track) that is both is scored once. Results replace the run's stored
predictions in one step; the storage and why it is arrays rather than rows is described in
:mod:`wsad_core.project.predictions`. Batches run under bf16 autocast on CUDA.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from sqlalchemy import select

from wsad_core.detect import DetectionSet
from wsad_core.errors import WsadError
from wsad_core.infer.score import FrameInstance, ScoredInstance, frame_instances, load_run_model, score_instances
from wsad_core.infer.windows import every_nth, keyframes_by_video, video_windows
from wsad_core.model import ModelPreset
from wsad_core.project import Project, VideoRecord
from wsad_core.project.predictions import PredictionSetRecord, VideoPredictions
from wsad_core.project.schema import AnnotatedFrame, Video
from wsad_core.train.config import TrainConfig
from wsad_core.detect.coverage import choose_detection_set
from wsad_core.train.setup import load_snapshot
from wsad_core.tubes import Tubelet
from wsad_core.tubes.action_tubes import ScoredTubelet
from wsad_core.tubes.linking import LinkingOptions, link_action_tubes
from wsad_core.tubes.project_tubelets import TubeletConfig

Progress = Callable[[int, int], None]
SPLIT_CHOICES = ("train", "val", "test", "all")


@dataclass(frozen=True)
class PredictOptions:
    split: str = "all"  # train, val, test or all
    videos: tuple[str, ...] = ()  # only these (by name), within the split
    checkpoint: Path | None = None  # default: the run's checkpoints/last.pt
    batch_size: int = 16
    device: str = "auto"
    tubelet_stride: int = 1
    linking: LinkingOptions = field(default_factory=LinkingOptions)
    trim: float | None = None  # temporal trimming after linking: its switch penalty; None: off
    # The person boxes to score: a detection set's key; None: the set the run trained on.
    # Test proposals may come from another detector than the training ones (as PySlowFast's
    # and MMAction2's AVA configs take separate train and test box files).
    detections: str | None = None


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def select_videos(project: Project, split: str, names: Sequence[str] = ()) -> list[VideoRecord]:
    if split not in SPLIT_CHOICES:
        raise WsadError(f"unknown split {split!r} (one of {', '.join(SPLIT_CHOICES)})")
    usable = [v for v in project.videos(status="ok") if split == "all" or v.split == split]
    if names:
        known = {v.name: v for v in usable}
        missing = [n for n in names if n not in known]
        if missing:
            where = "" if split == "all" else f" of split {split!r}"
            raise WsadError(f"no usable video{where} named {', '.join(map(repr, missing))}")
        usable = [known[n] for n in dict.fromkeys(names)]
    if not usable:
        raise WsadError(f"no usable videos of split {split!r} to predict on")
    return usable


def annotated_keyframes(project: Project, videos: Sequence[VideoRecord]) -> dict[str, list[tuple[int, float]]]:
    """(frame, time) of each video's annotated frames; time from the frame rate when missing."""
    fps = {v.name: v.fps for v in videos}
    with project.reading() as session:
        rows = session.execute(
            select(Video.name, AnnotatedFrame.frame, AnnotatedFrame.time)
            .join(Video, Video.id == AnnotatedFrame.video_id)
            .where(Video.name.in_(list(fps)), AnnotatedFrame.frame.is_not(None))
        ).all()
    result: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for name, frame, time in rows:
        result[name].append((int(frame), float(time) if time is not None else frame / (fps[name] or 1.0)))
    return result


def _instances(
    windows: Mapping[str, Sequence[Tubelet]],
    every_window: Mapping[str, Sequence[Tubelet]],
    keyframes: Mapping[str, Sequence[tuple[int, float]]],
) -> list[FrameInstance]:
    """Scored windows at their centres, and every track's box on each keyframe (from all
    windows, so that spacing the scored ones leaves no keyframe box out)."""
    unique: dict[tuple[str, int, int], FrameInstance] = {}
    for name, tubelets in windows.items():
        for t in tubelets:
            key = (name, t.centre_frame, t.track_id)
            unique.setdefault(key, FrameInstance(name, t.centre_frame, t.track_id, t.centre_box))
    wanted = {name: [frame for frame, _ in frames] for name, frames in keyframes.items()}
    for instance in frame_instances(every_window, wanted):
        unique.setdefault((instance.video, instance.frame, instance.track_id), instance)
    return [unique[key] for key in sorted(unique)]


def _stack(rows: list[np.ndarray], width: int) -> np.ndarray:
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, width), dtype=np.float32)


def _video_arrays(
    video: VideoRecord,
    windows: Sequence[Tubelet],
    keyframes: Sequence[tuple[int, float]],
    scored: Mapping[tuple[str, int, int], ScoredInstance],
    num_classes: int,
    k: int,
) -> tuple[dict[str, np.ndarray | None], list[ScoredTubelet]]:
    size = np.array([video.width, video.height, video.width, video.height], dtype=np.float64)
    tubelets, tubelet_scores, tubelet_var = [], [], []
    for window in windows:
        result = scored[(video.name, window.centre_frame, window.track_id)]
        pixels = window.boxes * size
        tubelets.append(ScoredTubelet(video.name, window.track_id, window.frames, pixels,
                                      result.probabilities, result.variance))
        tubelet_scores.append(result.probabilities)
        tubelet_var.append(result.variance)
    times = dict(keyframes)
    keyed = sorted(key for key in scored if key[0] == video.name and key[1] in times)
    key_results = [scored[key] for key in keyed]
    has_var = all(v is not None for v in tubelet_var) and all(r.variance is not None for r in key_results)
    arrays: dict[str, np.ndarray | None] = {
        "tubelet_track": np.array([w.track_id for w in windows], dtype=np.int32),
        "tubelet_first": np.array([w.frames[0] for w in windows], dtype=np.int32),
        "tubelet_boxes": np.array([t.boxes for t in tubelets], dtype=np.float32).reshape(-1, k, 4),
        "tubelet_scores": _stack(tubelet_scores, num_classes),
        "tubelet_uncertainty": _stack(tubelet_var, num_classes) if has_var else None,
        "keyframe_frame": np.array([key[1] for key in keyed], dtype=np.int32),
        "keyframe_time": np.array([times[key[1]] for key in keyed], dtype=np.float64),
        "keyframe_track": np.array([key[2] for key in keyed], dtype=np.int32),
        "keyframe_boxes": np.array([r.instance.box for r in key_results], dtype=np.float64).reshape(-1, 4),
        "keyframe_scores": _stack([r.probabilities for r in key_results], num_classes),
        "keyframe_uncertainty": _stack([r.variance for r in key_results], num_classes) if has_var else None,
    }
    return arrays, tubelets


def _predict_videos(
    model: torch.nn.Module,
    preset: ModelPreset,
    config: TrainConfig,
    labels: Sequence[str],
    videos: Sequence[VideoRecord],
    detection_set: DetectionSet,
    keyframes: Mapping[str, Sequence[tuple[int, float]]],
    options: PredictOptions,
    device: str,
    progress: Progress | None,
) -> Iterator[VideoPredictions]:
    """One video at a time (so that memory holds one video's windows and scores)."""
    from wsad_core.tubes.trimming import trim_tube_temporally

    tubelet_config = TubeletConfig(k=config.data.tubelet_length, min_score=config.data.min_score)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.startswith("cuda") else contextlib.nullcontext()
    for number, video in enumerate(videos):
        every_window = video_windows(detection_set, [video], tubelet_config)
        windows = {video.name: every_nth(every_window[video.name], options.tubelet_stride)}
        instances = _instances(windows, every_window, {video.name: keyframes[video.name]})

        def advance(done: int, total: int, number: int = number) -> None:
            if progress is not None:
                progress(number + done / max(total, 1), len(videos))

        with autocast:
            scored_list = score_instances(
                model, preset, instances, {video.name: video.path}, batch_size=options.batch_size,
                frame_stride=config.data.frame_stride, device=device, progress=advance,
            )
        scored = {(s.instance.video, s.instance.frame, s.instance.track_id): s for s in scored_list}
        arrays, tubelets = _video_arrays(
            video, windows[video.name], keyframes[video.name], scored, len(labels), tubelet_config.k
        )
        tubes = link_action_tubes(tubelets, len(labels), **asdict(options.linking))
        if options.trim is not None:
            trim = {"switch_penalty": options.trim, "min_length": options.linking.min_length}
            tubes = [part for tube in tubes for part in trim_tube_temporally(tube, **trim)]
        advance(1, 1)
        yield VideoPredictions(
            video=video.name, width=int(video.width or 0), height=int(video.height or 0), tubes=tuple(tubes), **arrays
        )


def predict_run(
    project: Project,
    run: int | str,
    options: PredictOptions | None = None,
    *,
    progress: Progress | None = None,
) -> PredictionSetRecord:
    """Score the chosen videos with the run's checkpoint, link tubes, and store the result.

    ``progress(done, total)`` counts videos, ``done`` with the fraction of the current one.
    """
    options = options or PredictOptions()
    if options.tubelet_stride < 1 or options.batch_size < 1:
        raise WsadError("--tubelet-stride and --batch-size must be at least 1")
    device = resolve_device(options.device)
    run_dir = project.run_dir(run)
    checkpoint = Path(options.checkpoint or run_dir / "checkpoints" / "last.pt")
    if not checkpoint.is_file():
        raise WsadError(f"{checkpoint}: no checkpoint to predict with (has run {run!r} trained?)")
    model, preset, labels, config = load_run_model(project, run, device, checkpoint=checkpoint)
    videos = select_videos(project, options.split, options.videos)
    key = options.detections or load_snapshot(run_dir / "snapshot.json")["detection_set"]
    detection_set = choose_detection_set(project, key, option="--detections KEY")
    keyframes = keyframes_by_video(annotated_keyframes(project, videos), videos)
    settings = {
        "split": options.split, "videos": list(options.videos), "device": device,
        "tubelet_length": config.data.tubelet_length, "tubelet_stride": options.tubelet_stride,
        "frame_stride": config.data.frame_stride, "detection_set": detection_set.key,
        "linking": asdict(options.linking), "trim": options.trim,
    }
    # Relative to the run folder when inside it, so that a moved project keeps its meaning.
    resolved = checkpoint.resolve()
    inside = resolved.is_relative_to(run_dir.resolve())
    name = str(resolved.relative_to(run_dir.resolve())) if inside else str(resolved)
    stream = _predict_videos(model, preset, config, labels, videos, detection_set, keyframes, options, device, progress)
    return project.store_predictions(run, stream, labels=labels, checkpoint=name, settings=settings)
