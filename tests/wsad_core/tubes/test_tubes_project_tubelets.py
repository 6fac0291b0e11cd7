"""Tubelets built from a project's detections, their cache and their quality."""

import numpy as np
import pytest

from wsad_core.detect import import_precomputed
from wsad_core.detect.cache import detection_sets
from wsad_core.mil.project_bags import project_bags
from wsad_core.mil import bag_report
from wsad_core.project import import_ava_ground_truth
from wsad_core.tubes.project_tubelets import TubeletConfig, project_tubelets, tubelet_quality

FPS = 10


@pytest.fixture
def walking_project(project, make_video, tmp_path):
    """One 4-s video; a person walks right; ground truth every frame; detections with noise
    and a two-frame gap."""
    make_video("v.mp4", frames=40, fps=FPS)
    project.import_videos([tmp_path / "videos"])
    project.add_label_map("ava-v2.2")
    gt_rows, det_rows = [], []
    rng = np.random.default_rng(0)
    for frame in range(40):
        box = np.array([0.01 * frame, 0.2, 0.01 * frame + 0.3, 0.9])
        t = frame / FPS
        gt_rows.append("v,{:.1f},{:.3f},{:.3f},{:.3f},{:.3f},14,0".format(t, *box))
        noisy = (box + rng.normal(0, 0.005, 4)).clip(0, 1)
        if frame not in (10, 11):  # a missed detection: linking interpolates the walker's box
            det_rows.append("v,{:.1f},{:.3f},{:.3f},{:.3f},{:.3f},,0.9".format(t, *noisy))
        det_rows.append("v,{:.1f},0.7,0.0,0.8,0.1,,0.6".format(t))  # a false positive in a corner
    (tmp_path / "gt.csv").write_text("\n".join(gt_rows) + "\n")
    (tmp_path / "det.csv").write_text("\n".join(det_rows) + "\n")
    import_ava_ground_truth(project, tmp_path / "gt.csv")
    import_precomputed(project, tmp_path / "det.csv")
    return project


def test_tubelets_recover_the_person_and_measure_noise(walking_project):
    (detection_set,) = detection_sets(walking_project.cache_dir)
    tubelets = project_tubelets(walking_project, detection_set, TubeletConfig(k=8))
    tracks = {t.track_id for t in tubelets["v"]}
    assert len(tracks) == 2  # the walker and the corner false positive
    quality = tubelet_quality(walking_project, tubelets)
    # De-duplication keeps windows a few frames apart, so the track's last frames may be
    # left uncovered; every box on the walker is right, every corner box wrong.
    assert 0.9 <= quality.recall <= 1.0
    walker = sum(1 for t in tubelets["v"] if t.boxes[0][1] > 0.1 for _ in t.frames if _ in range(40))
    assert quality.precision == pytest.approx(walker / quality.tubelet_boxes)

    cached = project_tubelets(walking_project, detection_set, TubeletConfig(k=8))
    assert [t.centre_frame for t in cached["v"]] == [t.centre_frame for t in tubelets["v"]]
    # Exactly the same boxes, so that a project's first run trains on what later runs read back.
    assert all(np.array_equal(a.boxes, b.boxes) for a, b in zip(cached["v"], tubelets["v"], strict=True))


def test_bags_from_labelled_clips(walking_project):
    walking_project.derive_weak_labels(2)
    (detection_set,) = detection_sets(walking_project.cache_dir)
    bags = project_bags(walking_project, project_tubelets(walking_project, detection_set, TubeletConfig(k=8)))
    assert [bag.labels for bag in bags] == [("walk",), ("walk",)]
    report = bag_report(bags)
    assert report.bags == 2 and report.empty_bags == 0 and report.tubelets >= 4


def test_cache_writers_at_once_do_not_collide(tmp_path):
    """Runs trained side by side (`wsad bench reproduce --parallel`) fill one project's cache at
    once: each write goes through a temporary file of its own, so none replaces another's."""
    import threading

    from wsad_core.detect.cache import _save_npz
    from wsad_core.tubes.project_tubelets import _load, _save
    from wsad_core.tubes.tubelets import Tubelet

    tubelets = [Tubelet(3, np.arange(5, 9), np.tile([0.1, 0.2, 0.5, 0.9], (4, 1)), 0.8)]
    writers, rounds = 6, 25
    start, errors = threading.Barrier(writers), []

    def write() -> None:
        start.wait()
        try:
            for _ in range(rounds):
                _save(tmp_path / "tubelets.npz", tubelets, 4)
                _save_npz(tmp_path / "detections.npz", np.arange(3), np.zeros((3, 4)), np.ones(3))
        except OSError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["detections.npz", "tubelets.npz"]
    (loaded,) = _load(tmp_path / "tubelets.npz", 4)
    assert loaded.track_id == 3 and list(loaded.frames) == [5, 6, 7, 8]
