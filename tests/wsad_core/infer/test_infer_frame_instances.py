import numpy as np

from wsad_core.infer import frame_instances
from wsad_core.tubes import Tubelet


def tubelet(track, start, x, k=4):
    boxes = np.array([[x + 0.01 * i, 0.1, x + 0.2 + 0.01 * i, 0.9] for i in range(k)])
    return Tubelet(track, np.arange(start, start + k), boxes, 0.9)


def test_one_instance_per_track_on_each_requested_frame():
    tubelets = {"v": [tubelet(0, 0, 0.1), tubelet(0, 2, 0.12), tubelet(1, 3, 0.6)], "w": [tubelet(0, 0, 0.3)]}
    instances = frame_instances(tubelets, {"v": [3, 9]})
    assert [(i.video, i.frame, i.track_id) for i in instances] == [("v", 3, 0), ("v", 3, 1)]
    assert np.allclose(instances[0].box, [0.13, 0.1, 0.33, 0.9])  # from the first tubelet covering frame 3
