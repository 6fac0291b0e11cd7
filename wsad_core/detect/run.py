"""Running a detector over a project's videos, with the cache, resuming and sharding."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wsad_core.detect.base import DetectorOptions, PersonDetector
from wsad_core.detect.cache import DetectionSet
from wsad_core.detect.precomputed import read_precomputed_detections
from wsad_core.detect.registry import create_detector
from wsad_core.errors import WsadError
from wsad_core.project import Project, VideoRecord
from wsad_core.tubes import FrameDetections
from wsad_core.video import VideoReader

# Frames handed to the detector between two cache writes: the most an interruption loses.
CHUNK_FRAMES = 256
# Above this stride, seeking to each frame beats decoding every frame in between.
SEEK_STRIDE = 8

ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class FrameSelection:
    """Which frames to detect on: every ``stride``-th frame, or 1 Hz keyframes (as AVA)."""

    stride: int = 1
    keyframes: bool = False

    def indices(self, frame_count: int, fps: float) -> np.ndarray:
        if self.keyframes:
            seconds = np.arange(0, int(frame_count / fps) + 1)
            frames = np.round(seconds * fps).astype(np.int64)
            return frames[frames < frame_count]
        if self.stride < 1:
            raise WsadError(f"frame stride must be at least 1, not {self.stride}")
        return np.arange(0, frame_count, self.stride, dtype=np.int64)

    def identity(self) -> dict[str, object]:
        return {"frames": "keyframes-1hz" if self.keyframes else f"stride-{self.stride}"}


@dataclass
class DetectionReport:
    set_key: str
    processed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    boxes: int = 0
    frames: int = 0


def shard_videos(videos: Sequence[VideoRecord], shard: tuple[int, int]) -> list[VideoRecord]:
    """Shard ``i`` of ``n`` takes every n-th video (by id), so shards never share a video."""
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise WsadError(f"invalid shard {index}/{count}: use I/N with 0 <= I < N")
    ordered = sorted(videos, key=lambda v: v.id)
    return [video for position, video in enumerate(ordered) if position % count == index]


def _frames_of(reader: VideoReader, indices: np.ndarray, stride: int):  # noqa: ANN202
    if len(indices) == 0:
        return
    if stride <= SEEK_STRIDE:
        wanted = set(indices.tolist())
        for index, frame in reader.iter_frames(int(indices[0]), int(indices[-1]) + 1):
            if index in wanted:
                yield index, frame
    else:
        for index in indices.tolist():
            yield index, reader.read_frame(index)


def _detect_chunk(
    detector: PersonDetector, reader: VideoReader, indices: np.ndarray, stride: int, batch_size: int
) -> FrameDetections:
    frames_out, boxes_out, scores_out = [], [], []
    batch_indices, batch = [], []

    def flush() -> None:
        for index, found in zip(batch_indices, detector.detect(batch)):
            height, width = batch[0].shape[:2]
            scale = np.array([width, height, width, height], dtype=np.float64)
            frames_out.extend([index] * len(found.scores))
            boxes_out.append(found.boxes.astype(np.float64).reshape(-1, 4) / scale)
            scores_out.append(found.scores.astype(np.float64))
        batch_indices.clear()
        batch.clear()

    for index, frame in _frames_of(reader, indices, stride):
        batch_indices.append(index)
        batch.append(frame)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return FrameDetections(
        np.asarray(frames_out, dtype=np.int64),
        np.concatenate(boxes_out) if boxes_out else np.zeros((0, 4)),
        np.concatenate(scores_out) if scores_out else np.zeros(0),
    )


def detect_videos(
    project: Project,
    detector_name: str,
    options: DetectorOptions | None = None,
    *,
    selection: FrameSelection | None = None,
    videos: Sequence[str | int] | None = None,
    shard: tuple[int, int] = (0, 1),
    progress: ProgressCallback | None = None,
) -> DetectionReport:
    """Detect people on the project's usable videos; cached results cost nothing."""
    options = options or DetectorOptions()
    selection = selection or FrameSelection()
    records = project.videos(status="ok") if videos is None else [project.video(v) for v in videos]
    records = shard_videos([v for v in records if v.status == "ok"], shard)
    detector = create_detector(detector_name, options)  # fails now, before any work
    detection_set = DetectionSet.create(project.cache_dir, {**detector.identity(), **selection.identity()})
    report = DetectionReport(detection_set.key)
    plans = [(video, selection.indices(video.frame_count, video.fps)) for video in records]
    total = sum(len(indices) for _, indices in plans)
    for video, indices in plans:
        if detection_set.has(video.fingerprint):
            report.cached.append(video.name)
        else:
            with VideoReader(video.path) as reader:
                for start in range(0, len(indices), CHUNK_FRAMES):
                    if not detection_set.has_chunk(video.fingerprint, start):
                        chunk = indices[start : start + CHUNK_FRAMES]
                        found = _detect_chunk(detector, reader, chunk, selection.stride, options.batch_size)
                        detection_set.save_chunk(video.fingerprint, start, found)
                    report.frames += len(indices[start : start + CHUNK_FRAMES])
                    if progress is not None:
                        progress(report.frames, total, video.name)
            detection_set.finish(video.fingerprint)
            report.processed.append(video.name)
        report.boxes += len(detection_set.load(video.fingerprint).scores)
    return report


def import_precomputed(project: Project, path: str | Path) -> DetectionReport:
    """Store person boxes from a CSV (AVA person boxes, simulated detections, a tracker's
    output) as a detection set, keyed by the file's content."""
    path = Path(path)
    videos = {v.name: v for v in project.videos(status="ok")}
    detections = read_precomputed_detections(path, {name: v.fps for name, v in videos.items()})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    detection_set = DetectionSet.create(
        project.cache_dir, {"detector": "precomputed", "source": path.name, "sha256": digest}
    )
    report = DetectionReport(detection_set.key)
    for name, found in detections.items():
        detection_set.save(videos[name].fingerprint, found)
        report.processed.append(name)
        report.boxes += len(found.scores)
    return report
