"""Stored predictions: arrays per video indexed by the database, replaced all at once."""

import numpy as np
import pytest

from wsad_core.errors import ProjectError
from wsad_core.project.predictions import VideoPredictions
from wsad_core.tubes.action_tubes import ActionTube

LABELS = ("walk", "wave")


def video_predictions(name, score=0.5, tubes=1):
    k = 4
    first = np.array([0, 2], dtype=np.int32)
    boxes = np.tile(np.array([10, 10, 30, 50], dtype=np.float32), (2, k, 1)) + np.arange(k)[None, :, None]
    tube_list = tuple(
        ActionTube(name, i % 2, score + 0.1 * i, np.arange(3, 20), np.tile([10.0 + i, 10, 30, 50], (17, 1)),
                   np.full(17, score), np.full(17, 0.5 + i))
        for i in range(tubes)
    )
    return VideoPredictions(
        video=name, width=64, height=48,
        tubelet_track=np.array([0, 0], dtype=np.int32), tubelet_first=first, tubelet_boxes=boxes,
        tubelet_scores=np.array([[score, 0.1], [0.2, score]], dtype=np.float32),
        tubelet_uncertainty=np.ones((2, 2), dtype=np.float32),
        keyframe_frame=np.array([4], dtype=np.int32), keyframe_time=np.array([1.0]),
        keyframe_track=np.array([0], dtype=np.int32), keyframe_boxes=np.array([[0.1, 0.2, 0.5, 0.9]]),
        keyframe_scores=np.array([[score, 0.3]], dtype=np.float32), keyframe_uncertainty=None,
        tubes=tube_list,
    )


@pytest.fixture
def run_project(project, make_video):
    project.add_labels(LABELS)
    project.import_videos([make_video("a.mp4"), make_video("b.mp4", seed=1)])
    run = project.create_run("r", {})
    return project, run.id


def test_stored_predictions_answer_frame_queries(run_project):
    project, run = run_project
    assert project.prediction_set(run) is None
    with pytest.raises(ProjectError, match="wsad predict"):
        project.predictions(run)
    record = project.store_predictions(run, {"a": video_predictions("a", tubes=2)}, labels=LABELS, checkpoint="c.pt")
    assert record.videos == {"a": "00000.npz"} and record.tubes == 2 and record.tubelets == 2
    predictions = project.predictions(run)
    at = predictions.tubes_at("a", 5)
    assert [(b.label, b.tube_index) for b in at] == [("wave", 1), ("walk", 0)]  # best tube first
    assert at[0].box == (11.0, 10.0, 30.0, 50.0) and at[0].uncertainty == pytest.approx(1.5)
    assert predictions.tubes_at("a", 2) == [] and predictions.tubes_at("a", 19)
    tubelets = predictions.tubelets_at("a", 3)  # first tubelet (frames 0-3) and second (2-5)
    assert tubelets.boxes.tolist() == [[13, 13, 33, 53], [11, 11, 31, 51]]
    assert tubelets.scores.shape == (2, 2) and tubelets.uncertainty.shape == (2, 2)
    loaded = predictions.video("a")
    assert loaded.keyframe_uncertainty is None and loaded.keyframe_boxes.tolist() == [[0.1, 0.2, 0.5, 0.9]]
    assert predictions.clip_scores("a", 0, 2).tolist() == pytest.approx([0.5, 0.1])  # centre 2 only
    assert predictions.clip_scores("a", 0, 9).tolist() == pytest.approx([0.5, 0.5])
    assert predictions.clip_scores("a", 10, 20).tolist() == [0.0, 0.0]
    rows = project.predicted_tubes(run, video="a", min_score=0.55)
    assert [(r.label, r.first_frame, r.last_frame) for r in rows] == [("wave", 3, 19)]


def test_storing_again_replaces_everything_and_removes_the_old_files(run_project):
    project, run = run_project
    first = project.store_predictions(run, {"a": video_predictions("a"), "b": video_predictions("b")},
                                      labels=LABELS, checkpoint="c.pt")
    leftover = first.folder.with_name("predictions-crashed.partial")
    leftover.mkdir()
    second = project.store_predictions(run, {"b": video_predictions("b", score=0.9)}, labels=LABELS, checkpoint="d.pt")
    assert second.folder != first.folder and not first.folder.exists() and not leftover.exists()
    assert list(second.videos) == ["b"] and second.checkpoint == "d.pt"
    assert [r.video for r in project.predicted_tubes(run)] == ["b"]
    assert project.predictions(run).video("b").tubelet_scores[0, 0] == pytest.approx(0.9)


def test_a_failed_store_leaves_the_previous_predictions(run_project):
    project, run = run_project
    before = project.store_predictions(run, {"a": video_predictions("a")}, labels=LABELS, checkpoint="c.pt")
    with pytest.raises(ProjectError, match="nope"):
        project.store_predictions(run, {"nope": video_predictions("nope")}, labels=LABELS, checkpoint="d.pt")
    after = project.prediction_set(run)
    assert after == before and before.folder.is_dir()
    assert [p.name for p in before.folder.parent.glob("predictions-*")] == [before.folder.name]
    assert project.predictions(run).tubes_at("a", 5)


def test_deleting_a_run_deletes_its_prediction_rows(run_project):
    from sqlalchemy import delete, func, select

    from wsad_core.project.schema import PredictedTube, PredictionSet, Run

    project, run = run_project
    project.store_predictions(run, {"a": video_predictions("a")}, labels=LABELS, checkpoint="c.pt")
    with project.transaction() as session:
        session.execute(delete(Run).where(Run.id == run))
    with project.reading() as session:
        assert session.scalar(select(func.count()).select_from(PredictionSet)) == 0
        assert session.scalar(select(func.count()).select_from(PredictedTube)) == 0
