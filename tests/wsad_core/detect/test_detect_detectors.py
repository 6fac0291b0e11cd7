"""The detectors on real footage: HOG finds people; torchvision runs end to end."""

import time

import numpy as np
import pytest

from wsad_core.detect import DetectorOptions, available_detectors, create_detector
from wsad_core.errors import WsadError
from wsad_core.video import VideoReader


def frames_of(path, indices):
    with VideoReader(path) as reader:
        return [reader.read_frame(i) for i in indices]


def test_registry_lists_the_detectors():
    names = available_detectors()
    assert {"frcnn-r50-fpn-v2", "frcnn-mobilenet-320", "hog", "precomputed"} <= set(names)
    with pytest.raises(WsadError, match="unknown detector 'yolo'.*hog"):
        create_detector("yolo")


def test_hog_finds_pedestrians_in_a_real_video(pedestrians_video):
    frames = frames_of(pedestrians_video, [0, 100, 200])
    found = create_detector("hog", DetectorOptions(score_threshold=0.5)).detect(frames)
    height, width = frames[0].shape[:2]
    for boxes in found:
        assert len(boxes.scores) >= 2  # the scene always has several people walking
        assert np.all((boxes.boxes[:, 2] > boxes.boxes[:, 0]) & (boxes.boxes[:, 3] > boxes.boxes[:, 1]))
        assert np.all(boxes.boxes[:, [0, 2]] <= width) and np.all(boxes.boxes[:, [1, 3]] <= height)
        tall = (boxes.boxes[:, 3] - boxes.boxes[:, 1]) > (boxes.boxes[:, 2] - boxes.boxes[:, 0])
        assert tall.mean() >= 0.5  # people are taller than wide


@pytest.mark.parametrize("name", ["frcnn-mobilenet-320", "frcnn-r50-fpn-v2"])
def test_torchvision_detectors_run_with_random_weights(name, make_video):
    path = make_video("v.mp4", frames=4, size=(160, 120))
    detector = create_detector(name, DetectorOptions(weights="random", score_threshold=0.0, min_size=160))
    results = detector.detect(frames_of(path, [0, 1]))
    assert len(results) == 2
    for boxes in results:
        assert boxes.boxes.shape[1] == 4 and boxes.boxes.dtype == np.float32
        assert len(boxes.boxes) == len(boxes.scores)
    assert detector.identity()["weights"] == "random"


def test_missing_weights_fail_fast_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    started = time.monotonic()
    with pytest.raises(WsadError) as error:
        create_detector("frcnn-mobilenet-320")
    message = str(error.value)
    assert "--weights" in message and "hog" in message and "precomputed" in message
    assert str(tmp_path / "torch") in message
    assert time.monotonic() - started < 60


def test_a_weights_file_is_loaded_safely(tmp_path):
    import torch
    from torchvision.models.detection import fasterrcnn_mobilenet_v3_large_320_fpn

    model = fasterrcnn_mobilenet_v3_large_320_fpn(weights=None, weights_backbone=None)
    path = tmp_path / "coco.pth"
    torch.save(model.state_dict(), path)
    detector = create_detector("frcnn-mobilenet-320", DetectorOptions(weights=str(path)))
    assert detector.identity()["weights"].startswith("coco.pth:")
    with pytest.raises(WsadError, match="no such weights file"):
        create_detector("frcnn-mobilenet-320", DetectorOptions(weights=str(tmp_path / "nope.pth")))
