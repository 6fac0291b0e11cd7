"""Frame AP of a trained run on a split of the project, against its ground-truth boxes,
with the model in memory (the training loop's validation; `wsad eval run` reads stored
predictions instead, see :mod:`wsad_core.evaluate.run_eval`).

Every annotated frame of the split's videos is scored: each person track covering the frame
is one detection per class (as AVA detections are scored per keyframe), evaluated with the
AVA protocol of :mod:`wsad_core.evaluate.frame_ap`. Tracks, boxes (rounded as an AVA CSV
holds them) and clip stride are those of `wsad predict`, so both give the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select

from wsad_core.data.video_cache import VideoCache
from wsad_core.errors import WsadError
from wsad_core.evaluate.ava_io import AvaArrays
from wsad_core.evaluate.frame_ap import FrameApResult, frame_ap
from wsad_core.formats import AvaRow
from wsad_core.infer import frame_instances, load_run_model, score_instances
from wsad_core.infer.predict import resolve_device
from wsad_core.infer.windows import video_windows
from wsad_core.model import ActionDetector, ModelPreset
from wsad_core.project import Project
from wsad_core.project.ground_truth import ground_truth_rows
from wsad_core.project.schema import AnnotatedFrame, Video
from wsad_core.train.config import TrainConfig
from wsad_core.detect.coverage import choose_detection_set
from wsad_core.train.setup import load_snapshot
from wsad_core.tubes.project_tubelets import TubeletConfig


@dataclass(frozen=True)
class RunFrameAp:
    result: FrameApResult
    frames: int
    detections: int
    class_names: dict[int, str]


def run_frame_ap(
    project: Project,
    run: int | str,
    *,
    split: str | None = "val",
    frame_stride: int | None = None,
    checkpoint: Path | None = None,
    loaded: tuple[ActionDetector, ModelPreset, list[str], TrainConfig] | None = None,
    progress: Callable[[int, int], None] | None = None,
    device: str = "auto",
    video_cache: VideoCache | None = None,
) -> RunFrameAp:
    """``loaded``: the model, preset, labels and config already in memory (the training loop's
    validation, on the device it trains on), instead of reading them from the run's checkpoint
    onto ``device`` (auto: CUDA when present). ``video_cache``: decoded videos kept between calls
    (the training loop's validation: decoding took two thirds of it)."""
    model, preset, labels, config = loaded or load_run_model(
        project, run, resolve_device(device), checkpoint=checkpoint
    )
    model.eval()
    videos = {v.name: v for v in project.videos(status="ok") if split is None or v.split == split}
    if not videos:
        raise WsadError(f"no videos of split {split!r} to evaluate on")
    snapshot = load_snapshot(project.run_dir(run) / "snapshot.json")
    detection_set = choose_detection_set(project, snapshot["detection_set"])
    tubelets = video_windows(
        detection_set, videos.values(), TubeletConfig(k=config.data.tubelet_length, min_score=config.data.min_score)
    )
    with project.reading() as session:
        frames = session.execute(
            select(Video.name, AnnotatedFrame.frame, AnnotatedFrame.time)
            .join(Video, Video.id == AnnotatedFrame.video_id)
            .where(Video.name.in_(list(videos)), AnnotatedFrame.frame.is_not(None))
        ).all()
        gt_rows = ground_truth_rows(session, video_ids=[v.id for v in videos.values()])
    wanted: dict[str, list[int]] = defaultdict(list)
    times: dict[tuple[str, int], float] = {}
    for name, frame, time in frames:
        wanted[name].append(frame)
        times[(name, frame)] = time
    instances = frame_instances(tubelets, wanted)
    scored = score_instances(
        model, preset, instances, {n: v.path for n, v in videos.items()},
        frame_stride=config.data.frame_stride if frame_stride is None else frame_stride, progress=progress,
        video_cache=video_cache,
    )
    by_name = {label.name: label.external_id for label in project.labels()}
    class_ids = [by_name[name] for name in labels if name in by_name]
    detections = [
        AvaRow(s.instance.video, times[(s.instance.video, s.instance.frame)],
               tuple(float(x) for x in np.clip(np.round(s.instance.box, 3), 0.0, 1.0)), by_name[name],
               score=float(p))
        for s in scored
        for name, p in zip(labels, s.probabilities)
        if name in by_name
    ]
    result = frame_ap(AvaArrays.from_rows(gt_rows), AvaArrays.from_rows(detections), class_ids)
    return RunFrameAp(result, len(times), len(detections), {by_name[n]: n for n in labels if n in by_name})
