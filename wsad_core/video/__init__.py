"""Video files with PyAV: probing, fingerprints, frame-accurate reading and writing."""

from wsad_core.video.encode import write_video
from wsad_core.video.probe import (
    VIDEO_EXTENSIONS,
    VideoInfo,
    find_video_files,
    fingerprint_file,
    probe_video,
)
from wsad_core.video.reader import VideoReader, read_clip, read_frame

__all__ = [
    "VIDEO_EXTENSIONS",
    "VideoInfo",
    "VideoReader",
    "find_video_files",
    "fingerprint_file",
    "probe_video",
    "read_clip",
    "read_frame",
    "write_video",
]
