"""Tubelets on the synthetic world: perfect detections recover the ground-truth tracks, and
the tubelets degrade as the simulated detector's recall drops."""

import numpy as np
import pytest

from wsad_core.synthetic import get_preset, simulate_detections, simulate_video
from wsad_core.tubes import FrameDetections
from wsad_core.tubes.project_tubelets import TubeletConfig, match_quality, tubelets_from_detections

K = 8


def world(seeds=range(3)):
    config = get_preset("tiny")
    return [simulate_video(config, seed, f"v{seed}") for seed in seeds]


def gt_boxes(scene):
    """Every visible person on every frame that a full K-frame window can centre on."""
    result = {}
    for frame in range(K // 2, scene.nframes - K // 2):
        boxes = scene.boxes[frame][scene.visible[frame]]
        if len(boxes):
            result[(scene.video_id, frame)] = boxes
    return result


def quality(scenes, **detector):
    gt, tubelets = {}, {}
    for index, scene in enumerate(scenes):
        found = simulate_detections(scene, np.random.default_rng(index), **detector)
        detections = FrameDetections(
            np.array([d.frame for d in found]), np.array([d.box for d in found]), np.array([d.score for d in found])
        )
        tubelets[scene.video_id] = tubelets_from_detections(detections, TubeletConfig(k=K, dedup_iou=1.01))
        gt.update(gt_boxes(scene))
    return match_quality(gt, tubelets)


def test_perfect_detections_recover_the_ground_truth_tracks():
    perfect = quality(world(), recall=1.0, precision=1.0, jitter=0.0, dropout_frames=1.0)
    assert perfect.recall >= 0.97
    assert perfect.precision >= 0.97


@pytest.mark.parametrize("seeds", [range(3)])
def test_tubelets_degrade_as_the_detector_recall_drops(seeds):
    scenes = world(seeds)
    recalls = [quality(scenes, recall=r, precision=0.8).recall for r in (0.95, 0.7, 0.45)]
    assert recalls[0] > recalls[1] > recalls[2]
