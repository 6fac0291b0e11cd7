"""A generated world becomes a project through the users' own import paths."""

from wsad_core.detect import detection_sets
from wsad_core.formats import read_clip_labels_csv
from wsad_core.project import Project
from wsad_core.synthetic import read_manifest
from wsad_core.tubes.project_tubelets import TubeletConfig, project_tubelets, tubelet_quality


def test_synth_demo_builds_a_complete_project(wsad, tmp_path):
    root = tmp_path / "proj"
    status, out, _ = wsad("synth", "demo", root, "--preset", "tiny", "--seed", "3")
    assert status == 0, out
    manifest = read_manifest(root / "world")
    expected_labels = {
        row.video: set(row.labels) for row in read_clip_labels_csv(manifest.path("weak_labels_video"))
    }
    with Project.open(root) as project:
        videos = {v.name: v for v in project.videos()}
        assert set(videos) == {v.video_id for v in manifest.videos}
        assert all(v.status == "ok" for v in videos.values())
        assert {name: v.split for name, v in videos.items()} == {v.video_id: v.split for v in manifest.videos}
        clips = project.clips(labelled=True)
        assert {c.video_name: set(c.labels) for c in clips} == expected_labels
        assert all(c.kind == "video" for c in clips)  # the labels landed on the whole-video clips
        assert project.summary()["gt_boxes"] > 0
        (detections,) = detection_sets(project.cache_dir)
        tubelets = project_tubelets(project, detections, TubeletConfig(k=8))
        quality = tubelet_quality(project, tubelets)
        assert quality is not None and quality.recall > 0.3


def test_synth_generate_and_an_unknown_preset(wsad, tmp_path):
    status, out, _ = wsad("synth", "generate", tmp_path / "w", "--preset", "tiny")
    assert status == 0 and "4 videos" in out
    status, _, err = wsad("synth", "generate", tmp_path / "w2", "--preset", "huge")
    assert status == 1 and "tiny" in err and "bench" in err
