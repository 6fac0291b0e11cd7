"""What prediction scores: track windows every `stride` frames, keyframes, empty videos."""

import numpy as np

from wsad_core.infer.predict import _video_arrays
from wsad_core.infer.windows import keyframes_by_video, one_hertz_frames, track_windows
from wsad_core.project import VideoRecord
from wsad_core.tubes.project_tubelets import TubeletConfig
from wsad_core.tubes.tracks import FrameDetections


def video(name="v", frames=80, fps=25.0):
    return VideoRecord(1, name, "/x.mp4", "ok", fps=fps, frame_count=frames, width=64, height=48)


def test_windows_of_each_track_start_every_stride_frames():
    frames = np.arange(30)
    boxes = np.tile([0.1, 0.1, 0.3, 0.9], (30, 1)) + 0.001 * frames[:, None]
    detections = FrameDetections(frames, boxes, np.full(30, 0.9))
    every = track_windows(detections, TubeletConfig(k=8), stride=1)
    assert [int(w.frames[0]) for w in every] == list(range(23))  # no de-duplication
    spaced = track_windows(detections, TubeletConfig(k=8), stride=5)
    assert [int(w.frames[0]) for w in spaced] == [0, 5, 10, 15, 20]
    assert {w.track_id for w in spaced} == {0}


def test_keyframes_are_the_annotated_frames_else_one_per_second():
    assert one_hertz_frames(video(frames=80)) == [(0, 0.0), (25, 1.0), (50, 2.0), (75, 3.0)]
    assert one_hertz_frames(video(frames=75)) == [(0, 0.0), (25, 1.0), (50, 2.0)]
    chosen = keyframes_by_video({"a": [(12, 0.5), (3, 0.1), (12, 0.5)]}, [video("a"), video("b", frames=30)])
    assert chosen == {"a": [(3, 0.1), (12, 0.5)], "b": [(0, 0.0), (25, 1.0)]}


def test_a_video_without_tracks_has_empty_arrays_of_the_right_shapes():
    arrays, tubelets = _video_arrays(video(), [], [(0, 0.0)], {}, num_classes=3, k=8)
    assert tubelets == [] and arrays["tubelet_boxes"].shape == (0, 8, 4)
    assert arrays["tubelet_scores"].shape == (0, 3) and arrays["keyframe_boxes"].shape == (0, 4)
