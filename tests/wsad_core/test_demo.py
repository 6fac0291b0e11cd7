import json
import os
import subprocess

import pytest
from PIL import Image

from wsad_core.demo import display_available, run_demo, studio_command
from wsad_core.demo import main as demo_main
from wsad_core.formats import read_ava_csv, read_clip_labels_csv
from wsad_core.formats.tubes_csv import read_tubes_csv
from wsad_core.project import Project
from wsad_core.video import probe_video


def test_demo_trains_predicts_evaluates_and_exports(tmp_path, capsys):
    root = tmp_path / "demo"
    root.mkdir()
    (root / "left over").write_text("from an earlier demo")  # the demo starts again from scratch
    run_demo(root, preset="tiny", training=("model=cpu-tiny", "max_steps=2", "data.tubelet_length=8"))
    out = capsys.readouterr().out
    for step in ("$ wsad synth demo", "$ wsad tubelets", "tubelet recall", "$ wsad train", "$ wsad predict",
                 "$ wsad eval run", "$ wsad export video", "Demo done", "Frame AP (", "Video AP ("):
        assert step in out
    exports = root / "exports"
    assert not (root / "left over").exists()
    with Project.open(root) as project:
        videos = project.videos(status="ok")
        assert len(videos) == 4
        sub_clips = project.clips(labelled=True, kind="subclip")
        assert sub_clips and all(c.end - c.start <= 2 + 1e-9 for c in sub_clips)
        run = project.runs()[-1]
        predictions = project.prediction_set(run.id)
        run_dir = project.run_dir(run.id)
        labelled = project.clips(labelled=True)
    assert run.status == "done" and set(predictions.videos) == {v.name for v in videos}
    split = next(iter(json.loads((run_dir / "metrics.json").read_text())))
    evaluation = json.loads((run_dir / "metrics.json").read_text())[split]
    assert evaluation["frame_ap"]["mAP"] is not None and evaluation["video_ap"]["mAP"]["0.5"] is not None
    assert f"Frame AP ({split}): {evaluation['frame_ap']['mAP']:.3f}" in out
    with Image.open(run_dir / f"ap_per_class_{split}.png") as chart:
        assert chart.format == "PNG"
    assert read_ava_csv(exports / "ground_truth.csv")
    assert len(read_clip_labels_csv(exports / "clip_labels.csv")) == len(labelled)
    assert read_ava_csv(exports / "predictions_ava.csv", kind="detections")
    assert len(read_tubes_csv(exports / "tubes.csv")) == predictions.tubes
    (video,) = exports.glob("*.mp4")
    assert probe_video(video).frame_count == next(v.frame_count for v in videos if v.name == video.stem)
    # The command the demo opens the studio with (on a display) shows that video with the run.
    shot = tmp_path / "studio.png"
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = studio_command(root, run.id, video.stem) + ["--screenshot", str(shot)]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    with Image.open(shot) as picture:
        assert picture.width > 400


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "linux", False),
        ({}, "darwin", True),
        ({}, "win32", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"DISPLAY": ":0", "CI": "true"}, "linux", False),
    ],
)
def test_the_demo_opens_the_studio_only_where_a_window_would_be_seen(environ, platform, expected):
    assert display_available(environ, platform) is expected


@pytest.mark.parametrize("args, code", [(["--help"], 0), (["--project", "x"], 2)])
def test_an_option_is_never_taken_for_the_project_folder(tmp_path, monkeypatch, capsys, args, code):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        demo_main(args)
    assert exited.value.code == code
    assert list(tmp_path.iterdir()) == []  # nothing made
    out, err = capsys.readouterr()
    assert "usage: python -m wsad_core.demo [-h] [--no-studio] [project]" in (out if code == 0 else err)
