"""`wsad predict`: a real run (CPU, random init) scores the tiny world and stores the result."""

import json

import numpy as np
import pytest

from wsad_core.errors import WsadError
from wsad_core.infer.predict import PredictOptions, predict_run
from wsad_core.project import Project


def test_predictions_cover_every_video_tubelet_and_keyframe(predicted_world):
    root, run = predicted_world
    with Project.open(root) as project:
        record = project.prediction_set(run)
        videos = {v.name: v for v in project.videos(status="ok")}
        predictions = project.predictions(run)
        rows = project.predicted_tubes(run)
        keyframes = project.summary()["annotated_frames"]
    assert set(record.videos) == set(videos) and record.settings["tubelet_stride"] == 2
    labels = predictions.labels
    assert len(labels) == 4 and record.keyframe_boxes > 0 and record.tubelets > 0
    total_keyframes = 0
    for name, video in videos.items():
        data = predictions.video(name)
        n = len(data.tubelet_track)
        assert data.tubelet_boxes.shape == (n, 8, 4) and data.tubelet_scores.shape == (n, len(labels))
        assert np.all((data.tubelet_scores > 0) & (data.tubelet_scores < 1))
        assert data.tubelet_uncertainty.shape == (n, len(labels)) and np.all(data.tubelet_uncertainty > 0)
        assert data.tubelet_boxes[..., 2].max() <= video.width + 1e-3  # pixels of the source
        assert data.keyframe_boxes.max() <= 1.0  # normalised, as AVA files
        # Windows of one track start every 2 frames.
        for track in np.unique(data.tubelet_track):
            starts = np.sort(data.tubelet_first[data.tubelet_track == track])
            assert set(np.diff(starts)) <= {2}
        total_keyframes += len(set(data.keyframe_frame.tolist()))
        for tube in data.tubes:
            assert len(tube.frames) >= 15 and np.all(np.diff(tube.frames) == 1)
    assert 0 < total_keyframes <= keyframes
    assert len(rows) == record.tubes > 0
    assert {r.label for r in rows} <= set(labels)


def test_predict_again_replaces_the_stored_predictions(predicted_project, wsad):
    root, run = predicted_project
    with Project.open(root) as project:
        before = project.prediction_set(run)
        name = sorted(before.videos)[0]
    status, out, _ = wsad("predict", run, "-p", root, "--videos", name, "--tubelet-stride", 4, "--events",
                          "--trim", 0.3)
    assert status == 0
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert events[-1]["event"] == "done" and events[-1]["videos"] == 1
    assert events[0]["event"] == "predict" and events[-2]["done"] == events[-2]["total"]
    with Project.open(root) as project:
        after = project.prediction_set(run)
        assert list(after.videos) == [name] and after.settings["tubelet_stride"] == 4 and after.settings["trim"] == 0.3
        for tube in project.predictions(run).tubes(name):  # trimmed parts: their own mean score
            assert len(tube.frames) >= 15 and tube.score == pytest.approx(float(np.mean(tube.frame_scores)))
        assert not before.folder.exists() and after.folder.is_dir()
        assert {r.video for r in project.predicted_tubes(run)} <= {name}


def test_a_failed_predict_leaves_the_old_predictions(predicted_project):
    root, run = predicted_project
    with Project.open(root) as project:
        before = project.prediction_set(run)
        tubes = project.predicted_tubes(run)
        video = project.videos(status="ok")[0]
        with project.transaction() as session:  # the file moved away behind the project's back
            from wsad_core.project.schema import Video

            session.get(Video, video.id).path = str(root / "gone.mp4")
        with pytest.raises(WsadError, match="gone.mp4"):
            predict_run(project, run, PredictOptions(tubelet_stride=4))
        assert project.prediction_set(run) == before and project.predicted_tubes(run) == tubes
        assert [p.name for p in project.run_dir(run).glob("predictions-*")] == [before.folder.name]
        assert project.predictions(run).video(video.name).tubelet_scores.size


def test_predict_refuses_unknown_videos_and_a_missing_checkpoint(predicted_project, wsad):
    root, run = predicted_project
    status, _, err = wsad("predict", run, "-p", root, "--videos", "nope")
    assert status == 1 and "nope" in err
    status, _, err = wsad("predict", run, "-p", root, "--checkpoint", root / "none.pt")
    assert status == 1 and "none.pt" in err


def _stricter_detections(project, world_dir, tmp_path):
    """A second detection set: the world's detections scoring at least 0.7 (a stricter detector)."""
    from wsad_core.detect import import_precomputed
    from wsad_core.formats import read_ava_csv, write_ava_csv

    rows = [row for row in read_ava_csv(world_dir / "detections.csv", kind="boxes") if row.score >= 0.7]
    path = tmp_path / "test_proposals.csv"
    write_ava_csv(rows, path)
    return import_precomputed(project, path).set_key, rows


def test_predict_scores_the_boxes_of_another_detection_set_when_asked(predicted_project, predicted_world, wsad, tmp_path):
    root, run = predicted_project
    with Project.open(root) as project:
        trained_on = project.prediction_set(run).settings["detection_set"]
        key, rows = _stricter_detections(project, predicted_world[0] / "world", tmp_path)
        name = sorted(project.prediction_set(run).videos)[0]
        fps = {v.name: v.fps for v in project.videos()}[name]
    assert key != trained_on
    status, _, err = wsad("predict", run, "-p", root, "--videos", name, "--detections", key)
    assert status == 0, err
    with Project.open(root) as project:
        record = project.prediction_set(run)
        keyframes = project.predictions(run).video(name)
    assert record.settings["detection_set"] == key
    strict = {(round(r.timestamp * fps), tuple(round(v, 3) for v in r.box)) for r in rows if r.video_id == name}
    scored = {(int(f), tuple(round(float(v), 3) for v in box))
              for f, box in zip(keyframes.keyframe_frame, keyframes.keyframe_boxes)}
    assert scored and scored <= strict


def test_predict_names_an_unknown_detection_set_and_keeps_the_old_predictions(predicted_project, wsad):
    root, run = predicted_project
    with Project.open(root) as project:
        before = project.prediction_set(run)
    status, _, err = wsad("predict", run, "-p", root, "--detections", "no-such-set")
    assert status == 1 and "no-such-set" in err
    with Project.open(root) as project:
        assert project.prediction_set(run) == before
