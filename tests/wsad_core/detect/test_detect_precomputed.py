import numpy as np
import pytest

from wsad_core.detect import read_precomputed_detections
from wsad_core.errors import FormatError


def test_boxes_land_on_frames_by_timestamp(tmp_path):
    path = tmp_path / "boxes.csv"
    path.write_text(
        "v,0.04,0.1,0.1,0.3,0.5,,0.9\n"
        "v,0.08,0.1,0.1,0.3,0.5,,0.2\n"
        "v,0.08,0.5,0.1,0.7,0.5,-1,0.8\n"
        "w,0902,0.2,0.2,0.4,0.6,\n"
    )
    detections = read_precomputed_detections(path, {"v": 25.0, "w": 30.0}, min_score=0.5)
    assert list(detections["v"].frames) == [1, 2]
    assert np.allclose(detections["v"].scores, [0.9, 0.8])
    assert list(detections["w"].frames) == [902 * 30] and detections["w"].scores[0] == 1.0


def test_a_video_outside_the_project_names_the_row(tmp_path):
    path = tmp_path / "boxes.csv"
    path.write_text("v,1,0.1,0.1,0.3,0.5,,0.9\nx,1,0.1,0.1,0.3,0.5,,0.9\n")
    with pytest.raises(FormatError, match="row 2, field 'video_id'"):
        read_precomputed_detections(path, {"v": 25.0})
