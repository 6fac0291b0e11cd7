"""`wsad eval run`: Frame AP and Video AP of a run from its stored predictions, saved with the run."""

import dataclasses
import json
import math

import numpy as np
import pytest
from PIL import Image

from wsad_core.evaluate import voc_average_precision
from wsad_core.evaluate.pr_curves import frame_pr_curves
from wsad_core.errors import WsadError
from wsad_core.evaluate.run_detections import keyframe_rows, label_ids, project_gt_tubes
from wsad_core.formats import AvaRow, write_ava_csv
from wsad_core.project import Project, import_ava_ground_truth
from wsad_core.project.ground_truth import ground_truth_rows


def test_eval_run_stores_metrics_and_draws_the_charts(predicted_project, predicted_world, wsad):
    root, run = predicted_project
    ucf = predicted_world[0] / "world" / "ucf_tubes.pkl"
    status, out, _ = wsad("eval", "run", run, "-p", root, "--split", "all", "--video-gt", ucf, "--json", root / "r.json")
    assert status == 0 and "Frame AP" in out and "Video AP" in out
    with Project.open(root) as project:
        run_dir = project.run_dir(run)
        record = project.run(run)
        labels = [label.name for label in project.labels()]
    stored = json.loads((run_dir / "metrics.json").read_text())["all"]
    written = json.loads((root / "r.json").read_text())
    assert stored.pop("by_detection_set") == {written["detection_set"]: written} and stored == written
    frame = stored["frame_ap"]
    assert set(frame["per_class"]) == set(labels) and 0 <= frame["mAP"] <= 1
    assert record.metrics["frame_ap_all"] == frame["mAP"]
    assert record.metrics["per_class_all"]["frame_ap"] == frame["per_class"]
    video = stored["video_ap"]
    assert set(video["mAP"]) == {"0.2", "0.5", "0.5:0.95"} and video["ground_truth"] == str(ucf)
    assert record.metrics["video_ap_all"] == video["mAP"]["0.5"]
    assert video["mAP"]["0.2"] >= video["mAP"]["0.5"] >= video["mAP"]["0.5:0.95"]
    for name in ("ap_per_class_all.png", "pr_curves_all.png"):
        with Image.open(run_dir / name) as image:
            assert image.format == "PNG" and image.width > 300
    # Evaluating again replaces the split's entry and keeps the others; --json refuses to overwrite.
    status, _, err = wsad("eval", "run", run, "-p", root, "--split", "all", "--json", root / "r.json")
    assert status == 1 and "already exists" in err
    status, _, _ = wsad("eval", "run", run, "-p", root, "--split", "all")
    assert status == 0
    assert json.loads((run_dir / "metrics.json").read_text())["all"]["video_ap"] is None  # no tubes in the project


def test_pr_curves_give_the_frame_ap_of_the_evaluator(predicted_world):
    from wsad_core.evaluate import AvaArrays, frame_ap

    root, run = predicted_world
    with Project.open(root) as project:
        predictions = project.predictions(run)
        ids = label_ids(project, predictions.labels)
        with project.reading() as session:
            gt = ground_truth_rows(session)
    detections = keyframe_rows(predictions, ids)
    result = frame_ap(AvaArrays.from_rows(gt), AvaArrays.from_rows(detections), list(ids.values()))
    curves = frame_pr_curves(gt, detections, list(ids.values()))
    for class_id, ap in result.per_class.items():
        if math.isnan(ap):
            assert class_id not in curves
        else:
            curve = curves[class_id]
            assert voc_average_precision(curve.true_positives, curve.n_gt) == pytest.approx(ap, abs=1e-12)
            assert np.all(np.diff(curve.recall) >= 0)


def test_every_frame_ground_truth_makes_tubes(project, make_video, tmp_path):
    video = make_video("v.mp4", frames=40, size=(64, 48))
    project.import_videos([video])
    project.add_label("wave", external_id=1)
    box = (0.25, 0.5, 0.5, 1.0)
    rows = [AvaRow("v", f / 25, box if f < 20 or 25 <= f < 30 else None, 1 if f < 20 or 25 <= f < 30 else None,
                   0 if f < 20 or 25 <= f < 30 else None) for f in range(40)]
    write_ava_csv(rows, tmp_path / "gt.csv")
    import_ava_ground_truth(project, tmp_path / "gt.csv")
    tubes = project_gt_tubes(project, project.videos())["v"]
    assert [(t.label, t.frames[0], t.frames[-1]) for t in tubes] == [("wave", 0, 19), ("wave", 25, 29)]
    assert tubes[0].boxes[0].tolist() == [16.0, 24.0, 32.0, 48.0]
    unknown_size = [dataclasses.replace(v, width=None, height=None, status="error") for v in project.videos()]
    with pytest.raises(WsadError, match="'v': frame size unknown"):
        project_gt_tubes(project, unknown_size)


def test_keyframe_only_ground_truth_makes_no_tubes(predicted_world):
    root, _ = predicted_world
    with Project.open(root) as project:
        assert not any(project_gt_tubes(project, project.videos()).values())


def test_eval_run_reuses_predictions_until_the_checkpoint_changes(predicted_project):
    import os
    import time

    from wsad_core.evaluate.run_eval import evaluate_run

    root, run = predicted_project
    with Project.open(root) as project:
        before = project.prediction_set(run)
        assert before.checkpoint == "checkpoints/last.pt"  # relative: the copied project still finds it
        result = evaluate_run(project, run, split="all")
        assert not result.predicted and project.prediction_set(run) == before
        later = time.time() + 60
        os.utime(project.run_dir(run) / before.checkpoint, (later, later))  # training went on
        result = evaluate_run(project, run, split="all")
        after = project.prediction_set(run)
    assert result.predicted and after.folder != before.folder
    assert after.settings["tubelet_stride"] == before.settings["tubelet_stride"]


def test_validation_in_memory_agrees_with_the_stored_predictions(predicted_world):
    from wsad_core.evaluate import AvaArrays, frame_ap
    from wsad_core.evaluate.run_frame_ap import run_frame_ap

    root, run = predicted_world
    with Project.open(root) as project:
        in_memory = run_frame_ap(project, run, split=None)
        predictions = project.predictions(run)
        ids = label_ids(project, predictions.labels)
        with project.reading() as session:
            gt = ground_truth_rows(session)
    stored = frame_ap(AvaArrays.from_rows(gt), AvaArrays.from_rows(keyframe_rows(predictions, ids)), list(ids.values()))
    assert in_memory.result.n_det == stored.n_det and in_memory.result.n_gt == stored.n_gt
    assert in_memory.result.map == pytest.approx(stored.map, abs=1e-6)
    for class_id, ap in stored.per_class.items():
        assert in_memory.result.per_class[class_id] == pytest.approx(ap, abs=1e-6, nan_ok=True)


def test_eval_run_predicts_again_when_asked_for_another_detection_set(predicted_project, predicted_world, tmp_path):
    from wsad_core.detect import import_precomputed
    from wsad_core.evaluate.run_eval import evaluate_run
    from wsad_core.formats import read_ava_csv
    from wsad_core.infer.predict import PredictOptions

    root, run = predicted_project
    strict = [r for r in read_ava_csv(predicted_world[0] / "world" / "detections.csv", kind="boxes") if r.score >= 0.7]
    write_ava_csv(strict, tmp_path / "strict.csv")
    with Project.open(root) as project:
        trained_on = project.prediction_set(run).settings["detection_set"]
        key = import_precomputed(project, tmp_path / "strict.csv").set_key
        first = evaluate_run(project, run, split="all", options=PredictOptions(detections=key))
        kept = evaluate_run(project, run, split="all")  # no set named: the stored one stays
        back = evaluate_run(project, run, split="all", options=PredictOptions(detections=trained_on))
        stored = json.loads((project.run_dir(run) / "metrics.json").read_text())["all"]
    assert first.predicted and first.detection_set == key
    assert not kept.predicted and kept.detection_set == key
    assert back.predicted and back.detection_set == trained_on and stored["detection_set"] == trained_on
    assert first.frame_ap.n_det < back.frame_ap.n_det  # fewer boxes scored from the stricter detector
    # Both sets' latest evaluations stay in metrics.json; the split's entry is the latest.
    assert sorted(stored["by_detection_set"]) == sorted([key, trained_on])
    assert stored["by_detection_set"][key]["frame_ap"]["n_det"] == kept.frame_ap.n_det
    assert stored["by_detection_set"][trained_on]["frame_ap"]["mAP"] == stored["frame_ap"]["mAP"]
