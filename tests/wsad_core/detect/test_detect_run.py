"""Running detectors over a project: cache, resume, shards, precomputed boxes."""

import numpy as np
import pytest

from wsad_core.detect import (
    DetectorOptions,
    FrameSelection,
    PersonBoxes,
    detect_videos,
    detection_sets,
    import_precomputed,
    register_detector,
)
from wsad_core.detect import run as run_module


class CountingDetector:
    """A registered detector that puts one box on every frame and counts its calls.

    It is how a user would plug in their own detector; ``fail_after`` simulates a crash.
    """

    name = "counting"
    calls = 0
    fail_after = None

    def __init__(self, options):
        self.options = options

    def identity(self):
        return {"detector": self.name, "version": 1}

    def detect(self, frames):
        type(self).calls += 1
        if self.fail_after is not None and type(self).calls > self.fail_after:
            raise KeyboardInterrupt
        h, w = frames[0].shape[:2]
        return [PersonBoxes(np.array([[0, 0, w / 2, h]], np.float32), np.array([0.9], np.float32)) for _ in frames]


register_detector("counting", "test detector")(CountingDetector)


@pytest.fixture
def videos(project, make_video, tmp_path):
    for seed in range(3):
        make_video(f"v{seed}.mp4", frames=40, fps=20, seed=seed)
    project.import_videos([tmp_path / "videos"])
    CountingDetector.calls = 0
    CountingDetector.fail_after = None
    return project


def test_detections_are_cached_per_video_and_config(videos):
    project = videos
    report = detect_videos(project, "counting", DetectorOptions(batch_size=4))
    assert sorted(report.processed) == ["v0", "v1", "v2"] and report.frames == 120 and report.boxes == 120
    calls = CountingDetector.calls
    again = detect_videos(project, "counting", DetectorOptions(batch_size=4))
    assert sorted(again.cached) == ["v0", "v1", "v2"] and CountingDetector.calls == calls
    (detection_set,) = detection_sets(project.cache_dir)
    loaded = detection_set.load(project.video("v0").fingerprint)
    assert list(loaded.frames) == list(range(40))
    assert np.allclose(loaded.boxes[0], [0, 0, 0.5, 1])  # normalised
    other = detect_videos(project, "counting", selection=FrameSelection(stride=5))
    assert other.set_key != report.set_key and other.frames == 24


def test_keyframes_at_one_hertz(videos):
    report = detect_videos(videos, "counting", selection=FrameSelection(keyframes=True))
    (frames,) = {tuple(ds.load(videos.video("v1").fingerprint).frames)
                 for ds in detection_sets(videos.cache_dir) if ds.key == report.set_key}
    assert frames == (0, 20)


def test_an_interrupted_run_resumes_where_it_stopped(videos, monkeypatch):
    # Chunks of 8 frames in batches of 4: two calls a chunk, ten a video, thirty in all.
    monkeypatch.setattr(run_module, "CHUNK_FRAMES", 8)
    CountingDetector.fail_after = 13  # v0 finished, v1's first chunk saved, then a crash
    with pytest.raises(KeyboardInterrupt):
        detect_videos(videos, "counting", DetectorOptions(batch_size=4))
    CountingDetector.fail_after = None
    CountingDetector.calls = 0
    report = detect_videos(videos, "counting", DetectorOptions(batch_size=4))
    assert report.cached == ["v0"]
    assert CountingDetector.calls == 8 + 10  # v1's four unfinished chunks, then all of v2
    (detection_set,) = detection_sets(videos.cache_dir)
    for name in ("v0", "v1", "v2"):
        assert list(detection_set.load(videos.video(name).fingerprint).frames) == list(range(40))
    assert report.boxes == 120


def test_shards_split_the_videos_without_overlap(videos):
    seen = []
    for index in range(2):
        report = detect_videos(videos, "counting", shard=(index, 2))
        seen.append(set(report.processed))
    assert seen[0].isdisjoint(seen[1]) and seen[0] | seen[1] == {"v0", "v1", "v2"}


def test_precomputed_boxes_become_a_detection_set(videos, tmp_path):
    path = tmp_path / "boxes.csv"
    path.write_text("v0,0.05,0.1,0.1,0.3,0.5,,0.9\nv2,1.0,0.2,0.2,0.4,0.6,,0.7\n")
    report = import_precomputed(videos, path)
    assert sorted(report.processed) == ["v0", "v2"] and report.boxes == 2
    (detection_set,) = detection_sets(videos.cache_dir)
    assert detection_set.identity["detector"] == "precomputed"
    assert list(detection_set.load(videos.video("v2").fingerprint).frames) == [20]
