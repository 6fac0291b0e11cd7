"""What prediction scores: tubelet windows along the person tracks, and keyframe boxes.

Training reads de-duplicated tubelets (the MIL instances; neighbours of one track start at
least K/3 frames apart). ACT's linking, however, expects a tubelet starting on every frame
and ends a tube after ``end_after`` (5) frames without a link, so de-duplicated tubelets
would never link. Prediction therefore scores the K-frame windows of the same tracks (same
detection set, same tracking settings, same track ids as training) starting every
``stride`` frames: 1 is ACT's every frame; a stride up to ``end_after`` still links, for a
fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from wsad_core.detect import DetectionSet
from wsad_core.project import VideoRecord
from wsad_core.tubes import Tubelet, cut_tubelets, link_tracks
from wsad_core.tubes.project_tubelets import TubeletConfig
from wsad_core.tubes.tracks import FrameDetections


def track_windows(detections: FrameDetections, config: TubeletConfig, stride: int = 1) -> list[Tubelet]:
    """K-frame windows of every track, one starting every ``stride`` frames of the track."""
    keep = detections.scores >= config.min_score
    filtered = FrameDetections(detections.frames[keep], detections.boxes[keep], detections.scores[keep])
    tracks = link_tracks(filtered, iou_threshold=config.link_iou, max_gap=config.max_gap)
    return every_nth(cut_tubelets(tracks, config.k), stride)


def every_nth(windows: Sequence[Tubelet], stride: int) -> list[Tubelet]:
    """The windows starting every ``stride`` frames from each track's first."""
    if stride < 1:
        raise ValueError(f"tubelet stride must be at least 1, not {stride}")
    starts: dict[int, int] = {}
    for window in windows:
        starts[window.track_id] = min(starts.get(window.track_id, int(window.frames[0])), int(window.frames[0]))
    return [w for w in windows if (int(w.frames[0]) - starts[w.track_id]) % stride == 0]


def video_windows(
    detection_set: DetectionSet, videos: Iterable[VideoRecord], config: TubeletConfig, stride: int = 1
) -> dict[str, list[Tubelet]]:
    """:func:`track_windows` of each video (videos the detection set lacks have none)."""
    result = {}
    for video in videos:
        detections = detection_set.load(video.fingerprint) if detection_set.has(video.fingerprint) else None
        result[video.name] = [] if detections is None else track_windows(detections, config, stride)
    return result


def one_hertz_frames(video: VideoRecord) -> list[tuple[int, float]]:
    """(frame, time) at every whole second: AVA's keyframes, for videos without ground truth."""
    if not video.fps or not video.frame_count:
        return []
    count = int(video.frame_count)
    seconds = range(int((count - 1) / video.fps) + 1)
    return [(min(round(s * video.fps), count - 1), float(s)) for s in seconds]


def keyframes_by_video(
    annotated: Mapping[str, Sequence[tuple[int, float]]], videos: Iterable[VideoRecord]
) -> dict[str, list[tuple[int, float]]]:
    """The annotated (frame, time) pairs of each video, or its 1 Hz frames when it has none."""
    return {
        video.name: sorted(set(annotated[video.name])) if annotated.get(video.name) else one_hertz_frames(video)
        for video in videos
    }

