"""Exports of stored predictions: AVA CSV and tubes CSV, read back and evaluated."""

import json

import numpy as np
import pytest

from wsad_core.formats import read_ava_csv
from wsad_core.formats.tubes_csv import read_tubes_csv
from wsad_core.project import Project


def write_label_map(project, path):
    path.write_text("".join(f'item {{ name: "{l.name}" id: {l.external_id} }}\n' for l in project.labels()))


def test_ava_export_is_what_eval_run_evaluates(predicted_project, wsad):
    root, run = predicted_project
    out, gt, label_map = root / "det.csv", root / "gt.csv", root / "map.pbtxt"
    assert wsad("eval", "run", run, "-p", root, "--split", "all", "--json", root / "run.json")[0] == 0
    status, stdout, _ = wsad("export", "predictions-ava", run, out, "-p", root)
    assert status == 0 and "detection row" in stdout
    assert wsad("export", "ava-gt", gt, "-p", root)[0] == 0
    with Project.open(root) as project:
        write_label_map(project, label_map)
        predictions = project.predictions(run)
        n_boxes = sum(len(predictions.video(v).keyframe_frame) for v in predictions.videos)
        ids = {l.external_id for l in project.labels()}
    rows = read_ava_csv(out, kind="detections")
    assert len(rows) == n_boxes * len(ids) and {r.action_id for r in rows} == ids
    assert all(r.score is not None and 0 < r.score < 1 for r in rows)
    status, _, _ = wsad("eval", "frame-ap", "-l", label_map, "-g", gt, "-d", out, "--json", root / "files.json")
    assert status == 0
    from_files = json.loads((root / "files.json").read_text())
    from_run = json.loads((root / "run.json").read_text())["frame_ap"]
    assert from_files["mAP"] == from_run["mAP"]
    assert from_files["per_class"] == {str(from_run["action_ids"][n]): ap for n, ap in from_run["per_class"].items()}
    assert from_files["n_det"] == from_run["n_det"] and from_files["n_gt"] == from_run["n_gt"]


def test_tubes_csv_reads_back_the_stored_tubes(predicted_project, wsad):
    root, run = predicted_project
    out = root / "exports" / "tubes.csv"
    status, _, _ = wsad("export", "tubes-csv", run, out, "-p", root)
    assert status == 0
    with Project.open(root) as project:
        predictions = project.predictions(run)
        stored = {(v, i): t for v in predictions.videos for i, t in enumerate(predictions.video(v).tubes)}
        fps = {v.name: v.fps for v in project.videos()}
    read = read_tubes_csv(out)
    assert len(read) == len(stored) > 0
    for tube in read:
        original = stored[(tube.video_id, tube.tube_id)]
        assert tube.label == predictions.labels[original.label_index] and tube.label_id == original.label_index
        assert tube.score == original.score
        assert np.array_equal(tube.frames, original.frames) and np.array_equal(tube.boxes, original.boxes)
        assert np.allclose(tube.times, original.frames / fps[tube.video_id])
        assert np.array_equal(tube.uncertainty, original.frame_uncertainty.astype(np.float64))


def test_exports_refuse_to_overwrite_without_force(predicted_project, wsad):
    root, run = predicted_project
    for kind in ("predictions-ava", "tubes-csv"):
        out = root / f"{kind}.csv"
        out.write_text("keep me")
        status, _, err = wsad("export", kind, run, out, "-p", root)
        assert status == 1 and "already exists" in err and out.read_text() == "keep me"
        assert wsad("export", kind, run, out, "-p", root, "--force")[0] == 0
        assert out.read_text() != "keep me"
        assert not list(root.glob(f".{out.name}.*"))  # no temporary file left behind


def test_export_without_predictions_says_what_to_do(predicted_project, wsad):
    root, _ = predicted_project
    with Project.open(root) as project:
        other = project.create_run("empty", {}).id
    status, _, err = wsad("export", "predictions-ava", other, root / "x.csv", "-p", root)
    assert status == 1 and "wsad predict" in err and not (root / "x.csv").exists()


def test_tubes_csv_evaluated_by_video_ap_gives_the_video_ap_of_eval_run(predicted_project, predicted_world, wsad):
    root, run = predicted_project
    ucf = predicted_world[0] / "world" / "ucf_tubes.pkl"
    status, _, _ = wsad("eval", "run", run, "-p", root, "--split", "all", "--video-gt", ucf, "--json", root / "run.json")
    assert status == 0
    assert wsad("export", "tubes-csv", run, root / "tubes.csv", "-p", root)[0] == 0
    status, _, _ = wsad("eval", "video-ap", "-g", ucf, "-d", root / "tubes.csv", "--split", "all",
                        "--json", root / "files.json")
    assert status == 0
    from_files = json.loads((root / "files.json").read_text())
    from_run = json.loads((root / "run.json").read_text())["video_ap"]
    for threshold in ("0.2", "0.5"):
        assert from_files["mAP"][threshold] == from_run["mAP"][threshold]
        for name, ap in from_run["per_class"][threshold].items():
            assert from_files["per_class"][name][threshold] == ap
    assert from_files["mAP_0.5:0.95"] == pytest.approx(from_run["mAP"]["0.5:0.95"], abs=1e-12)
