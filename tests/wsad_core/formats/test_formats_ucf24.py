from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from wsad_core.errors import FormatError
from wsad_core.formats import UcfAnnotations, UcfTube, UcfVideo, read_ucf24, write_ucf24_act

UCF24_LABELS = (
    "Basketball BasketballDunk Biking CliffDiving CricketBowling Diving Fencing FloorGymnastics GolfSwing "
    "HorseRiding IceDancing LongJump PoleVault RopeClimbing SalsaSpin SkateBoarding Skiing Skijet "
    "SoccerJuggling Surfing TennisSwing TrampolineJumping VolleyballSpiking WalkingWithDog"
).split()
BIKING, DIVING, FENCING = "Biking/v_Biking_g01_c01", "Diving/v_Diving_g02_c03", "Fencing/v_Fencing_g05_c01"


@pytest.fixture
def act_data() -> dict[str, Any]:
    """A small ACT-format ground truth: three videos, 1-based frames, (h, w) resolutions."""
    track = np.array([[1, 10, 20, 50, 80], [2, 11, 21, 51, 81], [3, 12, 22, 52, 82]], dtype=np.float32)
    return {
        "labels": list(UCF24_LABELS),
        "nframes": {BIKING: 100, DIVING: 50, FENCING: 30},
        "resolution": {BIKING: (240, 320), DIVING: (240, 320), FENCING: (480, 640)},
        "train_videos": [[BIKING], [DIVING], [BIKING, FENCING]],
        "test_videos": [[DIVING], [BIKING], []],
        "gttubes": {
            BIKING: {2: [track, track + np.array([97, 0, 0, 0, 0], dtype=np.float32)]},
            DIVING: {5: [np.array([[50, 0, 0, 320, 240]], dtype=np.float64)]},
            FENCING: {6: [track]},
        },
    }


@pytest.fixture
def pyannot_data() -> dict[str, Any]:
    """A small corrected-annotations (pyannot) ground truth with uint8/uint16 numbers, as in the real file."""
    return {
        BIKING: {
            "label": np.uint8(2),
            "numf": np.uint16(120),
            "annotations": [
                {
                    "label": np.uint8(2),
                    "sf": np.uint8(3),
                    "ef": np.uint8(6),
                    "boxes": np.array([[10, 20, 40, 60], [11, 21, 40, 60], [12, 22, 40, 60]], np.uint16),
                }
            ],
        },
        DIVING: {"label": 5, "numf": 40, "annotations": []},
    }


def _dump(write_file, name, data, protocol=2):
    return write_file(name, data=pickle.dumps(data, protocol=protocol))


def test_act_frames_become_zero_based_and_splits_are_assigned(write_file, act_data) -> None:
    annotations = read_ucf24(_dump(write_file, "UCF101v2-GT.pkl", act_data))
    assert annotations.source_format == "act"
    assert annotations.labels == UCF24_LABELS
    assert list(annotations.videos) == [BIKING, DIVING, FENCING]
    biking = annotations.videos[BIKING]
    assert (biking.label, biking.nframes, biking.split) == (2, 100, "train")
    assert (biking.width, biking.height) == (320, 240)
    assert [tube.frames.tolist() for tube in biking.tubes] == [[0, 1, 2], [97, 98, 99]]
    assert biking.tubes[0].frames.dtype == np.int64 and biking.tubes[0].boxes.dtype == np.float64
    assert biking.tubes[0].boxes.tolist() == [[10, 20, 50, 80], [11, 21, 51, 81], [12, 22, 52, 82]]
    assert annotations.videos[DIVING].split == "test"
    assert annotations.videos[DIVING].tubes[0].frames.tolist() == [49]
    assert (annotations.videos[FENCING].width, annotations.videos[FENCING].height) == (640, 480)


def test_act_split_selects_the_lists(write_file, act_data) -> None:
    videos = read_ucf24(_dump(write_file, "gt.pkl", act_data), split=1).videos
    assert [videos[v].split for v in (BIKING, DIVING, FENCING)] == ["test", "train", None]


def test_python2_act_pickle_reads_the_same(write_file, act_data, py2_dumps) -> None:
    py3 = read_ucf24(_dump(write_file, "py3.pkl", act_data))
    py2 = read_ucf24(write_file("py2.pkl", data=py2_dumps(act_data)))
    assert py2 == py3


def test_act_round_trip(tmp_path, write_file, act_data) -> None:
    annotations = read_ucf24(_dump(write_file, "gt.pkl", act_data))
    out = tmp_path / "out.pkl"
    write_ucf24_act(annotations, out)
    assert out.read_bytes()[:2] == b"\x80\x02"
    assert read_ucf24(out) == annotations


def test_written_frames_are_one_based(tmp_path) -> None:
    tube = UcfTube(0, np.array([0, 1], dtype=np.int64), np.array([[1.0, 2, 3, 4], [1, 2, 3, 4]]))
    video = UcfVideo("walk/a", 0, 5, 64, 48, "train", [tube])
    annotations = UcfAnnotations(["Walk"], {"walk/a": video}, "act")
    write_ucf24_act(annotations, tmp_path / "out.pkl")
    with open(tmp_path / "out.pkl", "rb") as handle:
        raw = pickle.load(handle)
    assert raw["gttubes"]["walk/a"][0][0][:, 0].tolist() == [1, 2]
    assert raw["resolution"]["walk/a"] == (48, 64)
    assert raw["train_videos"] == [["walk/a"]] and raw["test_videos"] == [[]]


def test_video_without_tubes_keeps_its_class(tmp_path, write_file, act_data) -> None:
    act_data["gttubes"][DIVING] = {}
    annotations = read_ucf24(_dump(write_file, "gt.pkl", act_data))
    assert annotations.videos[DIVING].label == UCF24_LABELS.index("Diving")
    annotations.videos["renamed"] = UcfVideo("renamed", 4, 10, 320, 240, None, [])
    write_ucf24_act(annotations, tmp_path / "out.pkl")
    assert read_ucf24(tmp_path / "out.pkl").videos["renamed"].label == 4


def test_write_refuses_a_tube_of_another_class(tmp_path) -> None:
    tube = UcfTube(1, np.array([0]), np.array([[1.0, 2, 3, 4]]))
    annotations = UcfAnnotations(["a", "b"], {"v": UcfVideo("v", 0, 5, 64, 48, None, [tube])}, "act")
    with pytest.raises(ValueError):
        write_ucf24_act(annotations, tmp_path / "out.pkl")


def _set_tube(value):
    def mutate(data):
        data["gttubes"][BIKING][2][1] = value

    return mutate


def _del(key):
    return lambda data: data.pop(key)


_ACT_ERRORS = [
    (_del("nframes"), "nframes", None, "no 'nframes'"),
    (lambda d: d.update(labels="Biking"), "labels", None, "list"),
    (lambda d: d["labels"].append("Biking"), "labels", None, "twice"),
    (lambda d: d["nframes"].update({FENCING: 0}), "nframes", FENCING, "positive"),
    (lambda d: d["nframes"].update({FENCING: "30"}), "nframes", FENCING, "integer"),
    (lambda d: d["resolution"].pop(DIVING), "resolution", DIVING, "no resolution"),
    (lambda d: d["resolution"].update({DIVING: (240,)}), "resolution", DIVING, "(height, width)"),
    (lambda d: d["gttubes"].update({"Extra/v": {1: []}}), "nframes", "Extra/v", "no nframes"),
    (lambda d: d["gttubes"][BIKING].update({3: []}), "gttubes", BIKING, "several classes"),
    (lambda d: d["gttubes"].update({DIVING: {24: []}}), "gttubes", DIVING, "outside"),
    (lambda d: d["gttubes"].update({DIVING: {}, "Nope/v_x": {}}), "nframes", "Nope/v_x", "no nframes"),
    (lambda d: d["train_videos"][0].append("Unknown/v"), "train_videos", "Unknown/v", "no nframes"),
    (lambda d: d["test_videos"][0].append(BIKING), "test_videos", BIKING, "both"),
    (_set_tube(np.zeros((3, 4))), "boxes", BIKING, "(T, 5)"),
    (_set_tube(np.zeros((0, 5))), "boxes", BIKING, "T >= 1"),
    (_set_tube(np.array([["1", "2", "3", "4", "5"]])), "boxes", BIKING, "numeric"),
    (_set_tube(np.array([[1, 0, 0, np.nan, 1]])), "boxes", BIKING, "NaN"),
    (_set_tube(np.array([[0, 0, 0, 1, 1]])), "frames", BIKING, "outside"),
    (_set_tube(np.array([[101, 0, 0, 1, 1]])), "frames", BIKING, "outside"),
    (_set_tube(np.array([[1.5, 0, 0, 1, 1]])), "frames", BIKING, "integers"),
    (_set_tube(np.array([[2, 0, 0, 1, 1], [2, 0, 0, 1, 1]])), "frames", BIKING, "increasing"),
    (_set_tube(np.array([[4, 5, 0, 1, 1]])), "boxes", BIKING, "negative width"),
]


@pytest.mark.parametrize(("mutate", "field", "video", "words"), _ACT_ERRORS)
def test_act_errors_name_file_video_tube_and_field(
    write_file, check_error, act_data, mutate, field, video, words
) -> None:
    mutate(act_data)
    path = _dump(write_file, "gt.pkl", act_data)
    with pytest.raises(FormatError) as info:
        read_ucf24(path)
    check_error(info.value, path, field=field)
    message = str(info.value)
    assert words in message
    if video is not None:
        assert repr(video) in message
    if field in ("boxes", "frames"):
        assert "tube 1" in message


def test_act_split_out_of_range(write_file, check_error, act_data) -> None:
    path = _dump(write_file, "gt.pkl", act_data)
    with pytest.raises(FormatError) as info:
        read_ucf24(path, split=3)
    check_error(info.value, path, field="train_videos")


def test_pyannot_boxes_become_corners_and_labels_are_builtin(write_file, pyannot_data) -> None:
    annotations = read_ucf24(_dump(write_file, "pyannot.pkl", pyannot_data))
    assert annotations.source_format == "pyannot"
    assert annotations.labels == UCF24_LABELS
    biking = annotations.videos[BIKING]
    assert (biking.label, biking.nframes, biking.split) == (2, 120, None)
    assert (biking.width, biking.height) == (320, 240)
    (tube,) = biking.tubes
    assert tube.label == 2
    assert tube.frames.tolist() == [3, 4, 5]
    assert tube.boxes.tolist() == [[10, 20, 50, 80], [11, 21, 51, 81], [12, 22, 52, 82]]
    assert annotations.videos[DIVING].tubes == []


def test_pyannot_small_unsigned_numbers_do_not_wrap(write_file, pyannot_data, py2_dumps) -> None:
    boxes = np.tile(np.array([[200, 180, 100, 90]], dtype=np.uint8), (100, 1))
    pyannot_data[BIKING]["numf"] = np.uint16(400)
    tube = {"label": np.uint8(2), "sf": np.uint8(200), "ef": np.uint16(300), "boxes": boxes}
    pyannot_data[BIKING]["annotations"] = [tube]
    py3 = _dump(write_file, "py3.pkl", pyannot_data)
    py2 = write_file("py2.pkl", data=py2_dumps(pyannot_data))
    for path in (py3, py2):
        (tube,) = read_ucf24(path).videos[BIKING].tubes
        assert tube.frames[0] == 200 and tube.frames[-1] == 299 and len(tube.frames) == 100
        assert tube.boxes[0].tolist() == [200, 180, 300, 270]


def test_pyannot_converts_to_act_and_back(tmp_path, write_file, pyannot_data) -> None:
    annotations = read_ucf24(_dump(write_file, "pyannot.pkl", pyannot_data))
    write_ucf24_act(annotations, tmp_path / "act.pkl")
    back = read_ucf24(tmp_path / "act.pkl")
    assert back.source_format == "act"
    assert back.labels == annotations.labels and back.videos == annotations.videos


def _set_annotation(**changes):
    def mutate(data):
        data[BIKING]["annotations"].append(dict(data[BIKING]["annotations"][0], **changes))

    return mutate


_PYANNOT_ERRORS = [
    (_set_annotation(ef=np.uint8(7)), "boxes", "ef - sf = 4", True),
    (_set_annotation(sf=np.uint8(250), ef=np.uint8(4)), "ef", "sf < ef", True),
    (_set_annotation(sf=-1, ef=2), "sf", "negative", True),
    (_set_annotation(sf=118, ef=121), "ef", "numf=120", True),
    (_set_annotation(boxes=np.array([[1, 1, -2, 3]] * 3)), "boxes", "negative width", True),
    (_set_annotation(boxes=np.zeros((3, 5))), "boxes", "(T, 4)", True),
    (_set_annotation(label=3), "label", "differs", True),
    (_set_annotation(sf=3.5), "sf", "integer", True),
    (lambda d: d[BIKING]["annotations"].append({"label": 2, "ef": 2, "boxes": []}), "sf", "no 'sf'", True),
    (lambda d: d[BIKING]["annotations"].insert(0, []), "annotations", "tube 0: the tube must be", False),
    (lambda d: d[DIVING].pop("numf"), "numf", "no 'numf'", False),
    (lambda d: d[DIVING].update(label=24), "label", "outside", False),
    (lambda d: d[DIVING].update(numf=np.uint8(0)), "numf", "positive", False),
    (lambda d: d[DIVING].update(annotations="none"), "annotations", "list", False),
]


@pytest.mark.parametrize(("mutate", "field", "words", "second_tube"), _PYANNOT_ERRORS)
def test_pyannot_errors_name_file_video_tube_and_field(
    write_file, check_error, pyannot_data, mutate, field, words, second_tube
) -> None:
    mutate(pyannot_data)
    path = _dump(write_file, "pyannot.pkl", pyannot_data)
    with pytest.raises(FormatError) as info:
        read_ucf24(path)
    check_error(info.value, path, field=field)
    assert words in str(info.value)
    assert "video '" in str(info.value)
    if second_tube:
        assert f"video {BIKING!r}, tube 1" in str(info.value)


@pytest.mark.parametrize("data", [[1, 2], {}, {"v": {"label": 1}}, "text", {"labels": []}])
def test_unknown_structures_are_refused(write_file, check_error, data) -> None:
    path = _dump(write_file, "other.pkl", data)
    with pytest.raises(FormatError) as info:
        read_ucf24(path)
    check_error(info.value, path)
    assert "not UCF101-24" in str(info.value)


def test_malicious_pickle_is_refused_before_parsing(write_file) -> None:
    path = write_file("evil.pkl", data=b"\x80\x02cposix\nsystem\nU\x04trueR.")
    with pytest.raises(FormatError, match="posix.system"):
        read_ucf24(path)
