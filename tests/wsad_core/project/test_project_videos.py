import shutil

import pytest

from wsad_core.errors import ProjectError


def test_import_files_and_folders_probes_and_makes_whole_video_clips(project, make_video, tmp_path):
    make_video("a.mp4", frames=50, fps=25, seed=1)
    make_video("sub/b.mkv", frames=30, fps=10, seed=2)
    (tmp_path / "videos" / "notes.txt").write_text("not a video")
    report = project.import_videos([tmp_path / "videos"])
    assert sorted(v.name for v in report.added) == ["a", "b"]
    a = project.video("a")
    assert (a.fps, a.frame_count, a.duration, a.width, a.height, a.codec) == (25.0, 50, 2.0, 64, 48, "h264")
    assert a.fingerprint and a.size and a.status == "ok"
    whole = project.clips(video="b")
    assert [(c.start, c.end, c.kind, c.labelled) for c in whole] == [(0.0, 3.0, "video", False)]


def test_non_recursive_import_skips_subfolders(project, make_video, tmp_path):
    make_video("a.mp4", seed=1)
    make_video("sub/b.mp4", seed=2)
    report = project.import_videos([tmp_path / "videos"], recursive=False)
    assert [v.name for v in report.added] == ["a"]


def test_duplicates_by_content_are_skipped(project, make_video, tmp_path):
    original = make_video("a.mp4", seed=1)
    copy = tmp_path / "elsewhere" / "copy-of-a.mp4"
    copy.parent.mkdir()
    shutil.copy(original, copy)
    first = project.import_videos([original])
    second = project.import_videos([original, copy])
    assert len(first.added) == 1
    assert second.added == [] and len(second.duplicates) == 2
    assert len(project.videos()) == 1


def test_unreadable_files_are_recorded_and_the_import_goes_on(project, make_video, tmp_path):
    good = make_video("good.mp4", seed=1)
    broken = tmp_path / "videos" / "broken.mp4"
    broken.write_bytes(b"this is not a video at all" * 100)
    truncated = tmp_path / "videos" / "truncated.mp4"
    data = make_video("full.mp4", frames=100, seed=3, folder=tmp_path / "tmp").read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    report = project.import_videos([broken, good, truncated])
    assert [v.name for v in report.added] == ["good"]
    errors = {v.name: v for v in report.errors}
    assert set(errors) == {"broken", "truncated"}
    assert all(v.status == "error" and v.error for v in errors.values())
    assert [v.name for v in project.videos(status="error")] == ["broken", "truncated"]
    assert project.clips(video="broken") == []


def test_an_error_file_fixed_later_is_imported_on_retry(project, make_video, tmp_path):
    path = tmp_path / "videos" / "later.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage")
    project.import_videos([path])
    make_video("later.mp4", seed=4)
    report = project.import_videos([path])
    assert [v.name for v in report.added] == ["later"]
    assert project.video("later").status == "ok"
    assert len(project.videos()) == 1


def test_queries_by_status_label_and_text(project, make_video, tmp_path):
    make_video("walking_1.mp4", seed=1)
    make_video("other.mp4", seed=2)
    project.import_videos([tmp_path / "videos"])
    project.add_label("walk")
    clip = project.clips(video="walking_1")[0]
    project.set_clip_labels(clip.id, ["walk"])
    assert [v.name for v in project.videos(label="walk")] == ["walking_1"]
    assert [v.name for v in project.videos(text="OTH")] == ["other"]
    assert len(project.videos(status="ok")) == 2
    with pytest.raises(ProjectError, match="unknown video status"):
        project.videos(status="broken")


def test_a_moved_video_is_relinked_by_content(project, make_video, tmp_path):
    path = make_video("a.mp4", seed=1)
    project.import_videos([path])
    moved = tmp_path / "moved" / "renamed.mp4"
    moved.parent.mkdir()
    shutil.move(path, moved)
    assert [v.name for v in project.missing_videos()] == ["a"]
    project.relink_video("a", moved)
    assert project.video("a").path == str(moved.resolve())
    assert project.missing_videos() == []


def test_relinking_to_other_content_is_refused(project, make_video):
    a = make_video("a.mp4", seed=1)
    b = make_video("b.mp4", seed=2)
    project.import_videos([a])
    with pytest.raises(ProjectError, match="not the same content"):
        project.relink_video("a", b)


def test_importing_a_moved_file_again_relinks_instead_of_duplicating(project, make_video, tmp_path):
    path = make_video("a.mp4", seed=1)
    project.import_videos([path])
    moved = tmp_path / "new-home" / "a.mp4"
    moved.parent.mkdir()
    shutil.move(path, moved)
    report = project.import_videos([moved])
    assert [v.name for v in report.linked] == ["a"]
    assert len(project.videos()) == 1
