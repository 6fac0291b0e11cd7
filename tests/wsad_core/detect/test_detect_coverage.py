"""Which videos a detection set covers."""

import numpy as np

from wsad_core.detect import DetectionSet
from wsad_core.detect.coverage import project_coverage
from wsad_core.project import Project
from wsad_core.tubes import FrameDetections


def test_coverage_names_the_usable_videos_a_set_lacks(tmp_path, make_video):
    with Project.create(tmp_path / "p") as project:
        for seed, name in enumerate(("a", "b")):
            project.import_videos([make_video(f"{name}.mp4", frames=10, fps=10, size=(64, 48), seed=seed)])
        assert project_coverage(project) == []
        found = DetectionSet.create(project.cache_dir, {"detector": "hog", "stride": 1})
        found.save(project.video("a").fingerprint, FrameDetections(np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros(0)))
        (coverage,) = project_coverage(project)
    assert coverage.key == found.key and coverage.detector == "hog"
    assert (coverage.covered, coverage.total, coverage.missing, coverage.complete) == (1, 2, ("b",), False)
    assert coverage.describe() == f"{found.key} (hog, 1/2 videos)"


def test_lacking_matches_fingerprints_by_their_file_names(tmp_path):
    found = DetectionSet.create(tmp_path, {"detector": "x"})
    found.save("sha256:ab/cd", FrameDetections(np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros(0)))
    assert found.lacking(["sha256:ab/cd", "sha256:ef"]) == ["sha256:ef"]
    assert found.has("sha256:ab/cd") and not found.has("sha256:ef")
