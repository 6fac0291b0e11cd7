import numpy as np

from wsad_core.train.full_supervision import supervised_instances
from wsad_core.tubes import Tubelet


def tubelet(track, start, box, k=8):
    return Tubelet(track, np.arange(start, start + k), np.tile(box, (k, 1)), 0.9)


def test_boxes_take_the_labels_of_the_ground_truth_they_overlap():
    ground_truth = [{
        "video": "v", "frame": 10,
        "people": [{"box": [0.1, 0.1, 0.4, 0.9], "labels": ["wave", "walk"]}],
    }]
    tubelets = {"v": [
        tubelet(0, 6, [0.11, 0.1, 0.41, 0.9]),  # on the person
        tubelet(0, 8, [0.11, 0.1, 0.41, 0.9]),  # same track again: one instance per track
        tubelet(1, 4, [0.6, 0.1, 0.9, 0.9]),  # a bystander
        tubelet(2, 20, [0.1, 0.1, 0.4, 0.9]),  # not on frame 10
    ]}
    bags = supervised_instances(ground_truth, tubelets, ["walk", "wave", "jump"], k=8)
    assert [(b.labels, b.tubelets[0].centre_frame) for b in bags] == [
        (("walk", "wave"), 10), ((), 10), (("walk", "wave"), 10),
    ]
    assert np.allclose(bags[1].tubelets[0].centre_box, [0.6, 0.1, 0.9, 0.9])
