from wsad_core.demo import run_demo
from wsad_core.formats import read_ava_csv, read_clip_labels_csv
from wsad_core.project import Project


def test_demo_builds_a_project_and_exports_it(tmp_path, capsys):
    root = tmp_path / "demo"
    run_demo(root, preset="tiny")
    out = capsys.readouterr().out
    for step in ("$ wsad synth demo", "$ wsad tubelets", "tubelet recall", "Demo project ready"):
        assert step in out
    with Project.open(root) as project:
        videos = project.videos(status="ok")
        assert len(videos) == 4
        sub_clips = project.clips(labelled=True, kind="subclip")
        assert sub_clips and all(c.end - c.start <= 2 + 1e-9 for c in sub_clips)
    assert read_ava_csv(root / "exports" / "ground_truth.csv")
    assert len(read_clip_labels_csv(root / "exports" / "clip_labels.csv")) == len(project.clips(labelled=True))
    run_demo(root, preset="tiny")  # a second run starts again from scratch
