"""Frame AP of a trained run inside a project (the synthetic tiny world, a few CPU steps)."""

import shutil

import pytest

from wsad_core.cli import main
from wsad_core.data import video_cache
from wsad_core.data.video_cache import VideoCache
from wsad_core.evaluate.run_frame_ap import run_frame_ap
from wsad_core.project import Project
from wsad_core.train import make_config, train


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval") / "project"
    assert main(["synth", "demo", str(root), "--preset", "tiny", "--seed", "2"]) == 0
    with Project.open(root) as project:
        config = make_config(["model=cpu-tiny", "data.train_split=null", "data.tubelet_length=8", "max_steps=2",
                              "keep_checkpoints=true"])
        run = train(project, config, stdout=None)
    return root, run.id


def test_a_run_is_scored_on_every_annotated_frame(trained):
    root, run = trained
    with Project.open(root) as project:
        result = run_frame_ap(project, run, split=None)
        labels = {label.external_id: label.name for label in project.labels()}
        keyframes = project.summary()["annotated_frames"]
    assert result.frames == keyframes
    assert set(result.class_names) == set(labels)
    assert 0.0 <= result.result.map <= 1.0
    assert {int(k) for k in result.result.to_json()["per_class"]} == set(labels)
    assert result.detections % len(labels) == 0 and result.detections > 0


def test_single_frame_scoring_and_a_named_checkpoint(trained):
    root, run = trained
    with Project.open(root) as project:
        checkpoint = next((project.run_dir(run) / "checkpoints").glob("epoch-*.pt"), None)
        result = run_frame_ap(project, run, split=None, frame_stride=0, checkpoint=checkpoint)
    assert 0.0 <= result.result.map <= 1.0


def test_a_kept_video_cache_is_not_decoded_again_and_scores_the_same(trained, monkeypatch):
    root, run = trained
    videos = VideoCache()
    with Project.open(root) as project:
        first = run_frame_ap(project, run, split=None, video_cache=videos)
        held = len(videos._decoded)
        monkeypatch.setattr(video_cache, "_decode", lambda reader, side: pytest.fail(f"{reader.path} decoded again"))
        second = run_frame_ap(project, run, split=None, video_cache=videos)
    assert held == len(project.videos()) and len(videos._decoded) == held
    assert second.result.map == first.result.map and second.detections == first.detections
