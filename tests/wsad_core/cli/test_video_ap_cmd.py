"""`wsad eval video-ap` on real files: ACT / pyannot pickles, project folders, tubes CSVs."""

from __future__ import annotations

import json
import pickle
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsad_core.formats import UcfAnnotations, UcfTube, UcfVideo, write_ucf24_act
from wsad_core.formats.tubes_csv import write_tubes_csv
from wsad_core.project import Project
from wsad_core.project.exchange import import_ucf24_ground_truth
from wsad_core.tubes.action_tubes import ActionTube

LABELS = ["Run", "Jump"]
X = (0.0, 0.0, 9.0, 9.0)


def ucf_tube(label, first, last, box):
    frames = np.arange(first, last + 1)
    return UcfTube(label, frames, np.tile(np.array(box, dtype=np.float64), (frames.size, 1)))


def action_tube(video, label, score, first, last, box):
    frames = np.arange(first, last + 1)
    boxes = np.tile(np.array(box, dtype=np.float64), (frames.size, 1))
    return ActionTube(video, label, score, frames, boxes, np.full(frames.size, score), None)


def write_act(path, videos):
    write_ucf24_act(UcfAnnotations(list(LABELS), videos, "act"), path)
    return path


def video(name, label, tubes, split, nframes=40):
    return UcfVideo(name, label, nframes, 320, 240, split, tubes)


@pytest.fixture
def act_gt(tmp_path):
    # 0-based frames here; the ACT pickle stores them 1-based (frames 1..10 and 1..20).
    return write_act(
        tmp_path / "UCF101v2-GT.pkl",
        {
            "Run/v1": video("Run/v1", 0, [ucf_tube(0, 0, 9, X)], "test"),
            "Jump/v2": video("Jump/v2", 1, [ucf_tube(1, 0, 19, (10, 10, 29, 29))], "test"),
            "Run/v3": video("Run/v3", 0, [ucf_tube(0, 0, 9, X)], "train"),
        },
    )


@pytest.fixture
def detections(tmp_path):
    path = tmp_path / "tubes.csv"
    tubes = [
        action_tube("Run/v1", 0, 0.95, 20, 29, X),  # no temporal overlap with the tube: FP
        action_tube("Run/v1", 0, 0.9, 0, 9, X),  # exact: TP at every threshold
        action_tube("Jump/v2", 1, 0.7, 5, 14, (10, 10, 29, 29)),  # label_id only; ST-IoU 10/20
        action_tube("Run/v3", 0, 0.99, 0, 9, (100, 100, 109, 109)),  # a train video: ignored
        action_tube("Run/v1", 2, 0.99, 0, 9, (100, 100, 109, 109)),  # unknown class: ignored
    ]
    # Label index 1 has no name: the reader falls back to label_id 1, the ground truth's Jump.
    write_tubes_csv(tubes, path, label_names=["Run", "", "Unknown"], fps=25.0)
    return path


def test_hand_computed_video_ap_with_json(wsad, act_gt, detections, tmp_path) -> None:
    out = tmp_path / "result.json"
    status, stdout, err = wsad("eval", "video-ap", "-g", act_gt, "-d", detections, "--iou", 0.2, 0.5, "--json", out)
    assert status == 0, err
    # Run: FP then TP of 1 tube → (0,1) (0,0) (1,.5): AP 0.25 at any threshold.
    # Jump: one TP at ST-IoU 0.5 → AP 1 up to 0.5, 0 from 0.55.
    # 0.5:0.95: (0.625 + 9 * 0.125) / 10. Were the ACT frames not made 0-based, the Run tube
    # would be found with ST-IoU 9/11 only, and lost from 0.85.
    result = json.loads(out.read_text())
    assert result["mAP"] == {"0.2": 0.625, "0.5": 0.625}
    assert result["per_class"] == {"Run": {"0.2": 0.25, "0.5": 0.25}, "Jump": {"0.2": 1.0, "0.5": 1.0}}
    assert result["mAP_0.5:0.95"] == pytest.approx(0.175)
    assert (result["n_gt"], result["n_det"], result["n_ignored"]) == (2, 3, 2)
    assert "mAP@0.2 0.6250" in stdout and "mAP@0.5:0.95 0.1750" in stdout and "Jump" in stdout
    status, _, err = wsad("eval", "video-ap", "-g", act_gt, "-d", detections, "--json", out)
    assert status == 1 and "already exists" in err
    assert wsad("eval", "video-ap", "-g", act_gt, "-d", detections, "--json", out, "--force")[0] == 0


def test_iou_may_be_repeated_and_is_validated(wsad, act_gt, detections, tmp_path) -> None:
    out = tmp_path / "r.json"
    assert wsad("eval", "video-ap", "-g", act_gt, "-d", detections, "--iou", 0.55, "--iou", 0.2, "--json", out)[0] == 0
    assert json.loads(out.read_text())["mAP"] == {"0.55": 0.125, "0.2": 0.625}
    status, _, err = wsad("eval", "video-ap", "-g", act_gt, "-d", detections, "--iou", 1.5)
    assert status == 1 and "(0, 1]" in err


def test_split_all_evaluates_the_train_videos_too(wsad, act_gt, detections, tmp_path) -> None:
    out = tmp_path / "r.json"
    assert wsad("eval", "video-ap", "-g", act_gt, "-d", detections, "--split", "all", "--json", out)[0] == 0
    result = json.loads(out.read_text())
    # Run now has 2 tubes; ranking 0.99 (v3, FP: wrong place), 0.95 FP, 0.9 TP → precision
    # 0, 0, 1/3 at recall 0, 0, 1/2: AP = 0.5 * (0 + 1/3) / 2 = 1/12.
    assert result["per_class"]["Run"]["0.5"] == pytest.approx(1 / 12, abs=1e-7)
    assert (result["n_gt"], result["n_det"]) == (3, 4)


def test_a_project_folder_gives_the_same_numbers_as_its_pickle(wsad, act_gt, detections, tmp_path) -> None:
    root = tmp_path / "project"
    with Project.create(root) as project:
        import_ucf24_ground_truth(project, act_gt)
    out = tmp_path / "r.json"
    status, _, err = wsad("eval", "video-ap", "-g", root, "-d", detections, "--split", "test", "--json", out)
    assert status == 0, err
    result = json.loads(out.read_text())
    assert result["mAP"] == pytest.approx({"0.2": 0.625, "0.5": 0.625})
    assert result["mAP_0.5:0.95"] == pytest.approx(0.175)


def test_pyannot_ground_truth(wsad, tmp_path) -> None:
    # pyannot: boxes [x, y, w, h], sf 0-based, ef exclusive; classes are UCF101-24's names.
    gt = tmp_path / "pyannot.pkl"
    boxes = np.tile(np.array([10, 20, 30, 40], dtype=np.uint16), (10, 1))
    data = {"Basketball/v_Basketball_g01_c01": {"label": 0, "numf": 30, "annotations": [
        {"label": 0, "sf": np.uint8(5), "ef": np.uint8(15), "boxes": boxes}]}}
    gt.write_bytes(pickle.dumps(data, protocol=2))
    det = tmp_path / "tubes.csv"
    names = ["Basketball"]
    write_tubes_csv([action_tube("Basketball/v_Basketball_g01_c01", 0, 0.8, 5, 14, (10, 20, 40, 60))], det,
                    label_names=names, fps=25)
    out = tmp_path / "r.json"
    status, _, err = wsad("eval", "video-ap", "-g", gt, "-d", det, "--json", out)
    assert status == 0, err
    result = json.loads(out.read_text())
    assert result["mAP"] == {"0.2": 1.0, "0.5": 1.0} and result["mAP_0.5:0.95"] == 1.0
    assert result["per_class"]["Basketball"] == {"0.2": 1.0, "0.5": 1.0}
    assert result["per_class"]["Diving"] == {"0.2": None, "0.5": None}


def test_a_bad_tubes_csv_is_reported_with_its_row(wsad, act_gt, tmp_path) -> None:
    det = tmp_path / "tubes.csv"
    det.write_text("video_id,tube_id,label,label_id,tube_score,frame,time_s,x1,y1,x2,y2,score,uncertainty\n"
                   "Run/v1,0,Run,0,0.5,zero,0,0,0,1,1,0.5,\n")
    status, _, err = wsad("eval", "video-ap", "-g", act_gt, "-d", det)
    assert status == 1 and "row 2" in err and "'frame'" in err


# Property tests: random ground truth with tubes of a class never overlapping in space
# (so that 3D NMS keeps every perfect detection), detections written with the writer.

tube_spec = st.tuples(st.integers(0, 1), st.integers(0, 30), st.integers(1, 30), st.integers(0, 80))
video_spec = st.lists(tube_spec, min_size=1, max_size=4)
world = st.lists(video_spec, min_size=1, max_size=4)


def build_gt(tmp_path, spec):
    videos, truth = {}, []
    for v, tubes in enumerate(spec):
        label = tubes[0][0]
        name = f"{LABELS[label]}/v{v}"
        gt_tubes = []
        for slot, (_, first, length, y) in enumerate(tubes):
            box = (100.0 * slot, float(y), 100.0 * slot + 50, y + 60.0)
            gt_tubes.append(ucf_tube(label, first, first + length - 1, box))
            truth.append((name, label, first, first + length - 1, box))
        videos[name] = video(name, label, gt_tubes, "test", nframes=70)
    return write_act(tmp_path / "gt.pkl", videos), truth


def run_json(wsad, gt, det, out):
    status, _, err = wsad("eval", "video-ap", "-g", gt, "-d", det, "--json", out, "--force")
    assert status == 0, err
    return json.loads(out.read_text())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=world, data=st.data())
def test_perfect_detections_give_ap_one(wsad, tmp_path, spec, data) -> None:
    gt, truth = build_gt(tmp_path, spec)
    scores = data.draw(st.lists(st.floats(0.01, 1.0), min_size=len(truth), max_size=len(truth)))
    tubes = [action_tube(n, label, s, a, b, box) for (n, label, a, b, box), s in zip(truth, scores)]
    det = tmp_path / "det.csv"
    write_tubes_csv(tubes, det, label_names=LABELS, fps=25)
    result = run_json(wsad, gt, det, tmp_path / "r.json")
    assert result["mAP"] == {"0.2": 1.0, "0.5": 1.0} and result["mAP_0.5:0.95"] == 1.0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=world, data=st.data())
def test_row_order_and_score_monotone_transforms_change_nothing(wsad, tmp_path, spec, data) -> None:
    gt, truth = build_gt(tmp_path, spec)
    n = data.draw(st.integers(1, 8))
    tubes = []
    for _ in range(n):
        name, label, a, b, box = data.draw(st.sampled_from(truth))
        shift = data.draw(st.integers(-60, 60))
        start = max(0, a + data.draw(st.integers(-5, 5)))
        moved = (box[0] + shift, box[1], box[2] + shift, box[3])
        score = data.draw(st.integers(1, 1000)) / 1000  # ties allowed: they must not depend on row order
        tubes.append(action_tube(name, label, score, start, max(start, b + data.draw(st.integers(-5, 5))), moved))
    det = tmp_path / "det.csv"
    write_tubes_csv(tubes, det, label_names=LABELS, fps=25)
    expected = run_json(wsad, gt, det, tmp_path / "r.json")

    header, *rows = det.read_text().splitlines()
    random.Random(data.draw(st.integers(0, 2**32 - 1))).shuffle(rows)
    det.write_text("\n".join([header, *rows]) + "\n")
    assert run_json(wsad, gt, det, tmp_path / "r.json") == expected

    transformed = [
        ActionTube(t.video, t.label_index, t.score**3 / 7 + 0.001, t.frames, t.boxes, t.frame_scores, None)
        for t in tubes
    ]
    write_tubes_csv(transformed, det, label_names=LABELS, fps=25)
    result = run_json(wsad, gt, det, tmp_path / "r.json")
    assert result == expected
