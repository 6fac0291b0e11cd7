"""Evaluation metrics that match the community's tools: AVA frame AP and UCF101-24 video AP."""

from wsad_core.evaluate.ava_io import AvaArrays, read_ava_arrays, read_excluded_timestamps
from wsad_core.evaluate.frame_ap import (
    FrameApResult,
    evaluate_frame_ap_files,
    frame_ap,
    voc_average_precision,
)
from wsad_core.evaluate.video_ap import (
    DetectedTube,
    GtTube,
    VideoApRangeResult,
    VideoApResult,
    ground_truth_from_ucf24,
    nms_3d,
    spatio_temporal_iou,
    trapezoid_average_precision,
    video_ap,
    video_ap_range,
)

__all__ = [
    "AvaArrays",
    "DetectedTube",
    "FrameApResult",
    "GtTube",
    "VideoApRangeResult",
    "VideoApResult",
    "evaluate_frame_ap_files",
    "frame_ap",
    "ground_truth_from_ucf24",
    "nms_3d",
    "read_ava_arrays",
    "read_excluded_timestamps",
    "spatio_temporal_iou",
    "trapezoid_average_precision",
    "video_ap",
    "video_ap_range",
    "voc_average_precision",
]
