import json

from PIL import Image

from wsad_core.demo import run_demo
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
