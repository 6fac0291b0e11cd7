from wsad_core.demo import run_demo
from wsad_core.formats import read_ava_csv, read_clip_labels_csv
from wsad_core.project import Project


def test_demo_builds_a_project_and_exports_it(tmp_path, capsys):
    root = tmp_path / "demo"
    run_demo(root)
    out = capsys.readouterr().out
    assert "$ wsad import videos" in out and "Demo project ready" in out
    with Project.open(root) as project:
        assert len(project.videos(status="ok")) == 3
        labelled = project.clips(labelled=True)
        assert len(labelled) == 9 and all(c.end - c.start == 2 for c in labelled)
    assert len(read_ava_csv(root / "exports" / "ground_truth.csv")) == 18
    assert len(read_clip_labels_csv(root / "exports" / "clip_labels.csv")) == 9
    run_demo(root)  # a second run starts again from scratch
