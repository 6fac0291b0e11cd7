"""The Results view (metrics.json of runs, compared side by side) and the Export menu's children."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wsad_studio.exports import Exporter, export_arguments
from wsad_studio.widgets.results import ResultsView, per_class_ap, summary_row

from test_predictions_overlay import run_id  # noqa: F401 - the fixture: a run with stored predictions

CHILD_TIMEOUT_MS = 120_000


def evaluation(frame_map: float, sit: float, walk: float) -> dict:
    return {
        "split": "val", "checkpoint": "checkpoints/last.pt", "videos": ["a"],
        "frame_ap": {"mAP": frame_map, "per_class": {"sit": sit, "walk": walk, "wave": None},
                     "action_ids": {"sit": 1, "walk": 2, "wave": 3}, "n_gt": 4, "n_det": 9},
        "video_ap": {"mAP": {"0.2": 0.7, "0.5": 0.5, "0.5:0.95": 0.2},
                     "per_class": {"0.2": {"walk": 0.7}, "0.5": {"walk": 0.5}}, "ground_truth": "project"},
    }


@pytest.fixture
def evaluated_project(tmp_path: Path) -> Path:
    root = tmp_path / "P"
    for run, (frame_map, sit, walk) in {1: (0.25, 0.1, 0.4), 2: (0.6, 0.5, 0.7)}.items():
        run_dir = root / "runs" / str(run)
        run_dir.mkdir(parents=True)
        stored = evaluation(frame_map, sit, walk)
        if run == 2:  # evaluated since the metrics name the scored person boxes
            stored["detection_set"] = "precomputed-0123456789ab"
        (run_dir / "metrics.json").write_text(json.dumps({"val": stored}))
    (root / "runs" / "3").mkdir()
    return root


def test_metrics_summary_and_per_class_ap():
    assert summary_row(evaluation(0.25, 0.1, 0.4)) == [0.25, 0.7, 0.5, 0.2]
    assert summary_row(None) == [None, None, None, None]
    kind, aps = per_class_ap(evaluation(0.25, 0.1, 0.4))
    assert kind == "Frame AP" and aps["walk"] == 0.4
    no_boxes = {**evaluation(0, 0, 0), "frame_ap": None}
    assert per_class_ap(no_boxes) == ("Video AP@0.5", {"walk": 0.5})


def test_results_view_compares_two_runs(qtbot, evaluated_project):
    view = ResultsView()
    qtbot.addWidget(view)
    view.set_project(evaluated_project)
    assert [view.run_a.itemData(i) for i in range(view.run_a.count())] == [1, 2, 3]
    assert view.run_a.currentData() == 2  # the newest evaluated run, not run 3 (no metrics)
    view.select(1, compare=2, split="val")
    cells = [[view.table.item(r, c).text() for c in range(view.table.columnCount())] for r in range(2)]
    assert cells == [["run 1", "25.0", "70.0", "50.0", "20.0", "—"],
                     ["run 2", "60.0", "70.0", "50.0", "20.0", "precomputed-0123456789ab"]]
    assert len(view.bars) == 2
    heights = [list(bar.opts["height"]) for bar in view.bars]
    assert heights == [pytest.approx([10.0, 40.0, 0.0]), pytest.approx([50.0, 70.0, 0.0])]
    view.select(3, split="val")
    assert view.table.item(0, 1).text() == "—" and view.bars == []
    assert "not evaluated" in view.status.text()


def test_evaluate_runs_wsad_eval_and_reports_a_failure(qtbot, evaluated_project):
    view = ResultsView()
    qtbot.addWidget(view)
    view.set_project(evaluated_project)
    with qtbot.waitSignal(view.evaluated, timeout=CHILD_TIMEOUT_MS) as ended:
        job = view.evaluate(3, "val")
        assert job is not None and job.args[:3] == ["eval", "run", "3"]
    assert ended.args[0] != 0  # not a project: the child fails, the view says why
    assert view.status.text().startswith("evaluation failed:") and view.evaluate_button.isEnabled()


def test_evaluate_scores_the_chosen_detection_set(qtbot, evaluated_project):
    from wsad_core.detect import DetectionSet

    found = DetectionSet.create(evaluated_project / "cache", {"detector": "precomputed", "source": "test_boxes.csv"})
    view = ResultsView()
    qtbot.addWidget(view)
    view.set_project(evaluated_project)
    assert [view.boxes.itemData(i) for i in range(view.boxes.count())] == [None, found.key]
    assert "test_boxes.csv" in view.boxes.itemText(1)
    with qtbot.waitSignal(view.evaluated, timeout=CHILD_TIMEOUT_MS):
        job = view.evaluate(3, "val")
        assert "--detections" not in job.args  # "as predicted": the CLI keeps the stored set
    view.boxes.setCurrentIndex(1)
    view.refresh()
    assert view.boxes.currentData() == found.key  # a refresh keeps the choice
    with qtbot.waitSignal(view.evaluated, timeout=CHILD_TIMEOUT_MS):
        job = view.evaluate(3, "val")
        assert job.args[-2:] == ["--detections", found.key]


def test_choosing_a_detection_set_shows_each_runs_evaluation_on_it(qtbot, evaluated_project):
    from wsad_core.detect import DetectionSet

    found = DetectionSet.create(evaluated_project / "cache", {"detector": "precomputed", "source": "test_boxes.csv"})
    tuned = {**evaluation(0.8, 0.7, 0.9), "detection_set": found.key}
    latest = {**tuned, "by_detection_set": {"precomputed-0123456789ab": {**evaluation(0.6, 0.5, 0.7),
                                                                          "detection_set": "precomputed-0123456789ab"},
                                            found.key: tuned}}
    (evaluated_project / "runs" / "2" / "metrics.json").write_text(json.dumps({"val": latest}))
    view = ResultsView()
    qtbot.addWidget(view)
    view.set_project(evaluated_project)
    view.select(2, compare=1, split="val")
    assert view.table.item(0, 1).text() == "80.0" and view.table.item(0, 5).text() == found.key  # the latest
    view.boxes.setCurrentIndex(view.boxes.findData(found.key))
    assert view.table.item(0, 1).text() == "80.0" and view.table.item(1, 1).text() == "—"
    assert view.status.text() == f"not evaluated on 'val' with boxes {found.key}: run 1 (Evaluate run)"
    view.boxes.setCurrentIndex(0)
    view.select(2, compare=1, split="val")
    assert [view.table.item(r, 1).text() for r in range(2)] == ["80.0", "25.0"]


def test_export_arguments(tmp_path):
    assert export_arguments("tubes-csv", tmp_path, 2, tmp_path / "t.csv") == [
        "export", "tubes-csv", "2", str(tmp_path / "t.csv"), "-p", str(tmp_path), "--force"]
    video = export_arguments("video", tmp_path, 2, tmp_path / "v.mp4", "walk")
    assert video[:5] == ["export", "video", "2", "walk", str(tmp_path / "v.mp4")] and "--events" in video
    with pytest.raises(ValueError):
        export_arguments("video", tmp_path, 2, tmp_path / "v.mp4")
    with pytest.raises(ValueError):
        export_arguments("pdf", tmp_path, 2, tmp_path / "v.pdf")


@pytest.mark.parametrize("kind", ["predictions-ava", "tubes-csv"])
def test_export_menu_writes_a_runs_predictions(qtbot, window, run_id, tmp_path, kind):  # noqa: F811
    out = tmp_path / "exports" / f"{kind}.csv"
    with qtbot.waitSignal(window.exporter.ended, timeout=CHILD_TIMEOUT_MS) as ended:
        assert window.start_export(kind, out, run=run_id)
        assert window.export_progress.isVisible()
    assert ended.args[0], ended.args[1]
    assert out.is_file()
    if kind == "tubes-csv":  # the stored predictions have tubes, and no keyframe rows
        assert len(out.read_text().splitlines()) > 1
    assert not window.export_progress.isVisible()


def test_a_rendered_video_export_shows_its_progress(qtbot, window, run_id, tmp_path):  # noqa: F811
    seen: list[tuple[int, int]] = []
    window.exporter.progress.connect(lambda done, total: seen.append((done, total)))
    out = tmp_path / "exports" / "walk.mp4"
    with qtbot.waitSignal(window.exporter.ended, timeout=CHILD_TIMEOUT_MS) as ended:
        assert window.start_export("video", out, run=run_id, video="walk")
    assert ended.args[0], ended.args[1]
    assert out.is_file() and seen
    frames = [done for done, _ in seen]
    assert frames == sorted(frames) and seen[-1][0] == seen[-1][1] and len(seen) <= 101
    assert window.export_progress.maximum() == seen[-1][1] and window.export_progress.value() == seen[-1][0]


def test_a_failed_export_says_why(qtbot, studio_project, tmp_path):
    exporter = Exporter()
    with qtbot.waitSignal(exporter.ended, timeout=CHILD_TIMEOUT_MS) as ended:
        exporter.start("tubes-csv", studio_project, "no-such-run", tmp_path / "t.csv")
    assert ended.args[0] is False and ended.args[1].startswith("export failed:")
