import numpy as np
import pytest

from wsad_core.tubes import box_iou, temporal_iou, tube_iou
from wsad_core.tubes.iou import paired_box_iou


def test_box_iou_by_hand():
    a = np.array([[0, 0, 2, 2], [0, 0, 1, 1]])
    b = np.array([[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]])
    expected = np.array([[1 / 7, 1, 0], [0, 1 / 4, 0]])
    assert np.allclose(box_iou(a, b), expected)
    assert np.allclose(paired_box_iou(a, b[:2]), [1 / 7, 1 / 4])
    assert box_iou(np.zeros((0, 4)), b).shape == (0, 3)


def test_temporal_iou_of_inclusive_ranges():
    assert temporal_iou((0, 9), (5, 14)) == pytest.approx(5 / 15)
    assert temporal_iou((0, 4), (5, 9)) == 0
    assert temporal_iou((3, 3), (3, 3)) == 1


def test_tube_iou_is_temporal_iou_times_mean_overlap():
    frames_a = np.arange(0, 10)
    frames_b = np.arange(5, 15)
    boxes_a = np.tile([0, 0, 2, 2], (10, 1)).astype(float)
    boxes_b = np.tile([1, 1, 3, 3], (10, 1)).astype(float)
    boxes_b[:5] = [0, 0, 2, 2]  # frames 5-9 overlap; on them boxes are identical
    assert tube_iou(frames_a, boxes_a, frames_b, boxes_b) == pytest.approx(5 / 15 * 1.0)
    boxes_b[:5] = [1, 1, 3, 3]
    assert tube_iou(frames_a, boxes_a, frames_b, boxes_b) == pytest.approx(5 / 15 * 1 / 7)
    assert tube_iou(frames_a, boxes_a, frames_a + 20, boxes_a) == 0
