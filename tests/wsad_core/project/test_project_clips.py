import pytest

from wsad_core.errors import ProjectError


@pytest.fixture
def video(project, make_video):
    project.import_videos([make_video("a.mp4", frames=250, fps=25)])  # 10 s
    for name in ("walk", "wave", "jump"):
        project.add_label(name)
    return project.video("a")


def test_split_into_fixed_length_sub_clips(project, video):
    clips = project.split_videos(3, ["a"])
    assert [(c.start, c.end, c.kind) for c in clips] == [
        (0.0, 3.0, "subclip"), (3.0, 6.0, "subclip"), (6.0, 9.0, "subclip"), (9.0, 10.0, "subclip"),
    ]
    again = project.split_videos(3, ["a"])
    assert [c.id for c in again] == [c.id for c in clips]
    assert len(project.clips(video="a")) == 5  # the four sub-clips and the whole video


def test_split_refuses_a_non_positive_length(project, video):
    with pytest.raises(ProjectError, match="must be positive"):
        project.split_videos(0, ["a"])


def test_intervals_are_checked_against_the_video(project, video):
    (clip,) = project.add_intervals("a", [(1.5, 4.0)])
    assert (clip.start, clip.end, clip.kind) == (1.5, 4.0, "interval")
    with pytest.raises(ProjectError, match="ends after the video"):
        project.add_clip("a", 8, 12)
    with pytest.raises(ProjectError, match="invalid clip span"):
        project.add_clip("a", 4, 4)


def test_label_sets_replace_toggle_and_clear(project, video):
    clip = project.clips(video="a")[0]
    assert not clip.labelled
    clip = project.set_clip_labels(clip.id, ["walk", "wave"])
    assert clip.labels == ("walk", "wave") and clip.labelled
    clip = project.remove_clip_label(clip.id, "walk")
    assert clip.labels == ("wave",)
    clip = project.add_clip_label(clip.id, "jump")
    assert clip.labels == ("jump", "wave")
    clip = project.set_clip_labels(clip.id, [])
    assert clip.labels == () and clip.labelled  # labelled as containing no action
    clip = project.clear_clip_labels(clip.id)
    assert not clip.labelled
    assert [c.id for c in project.clips(labelled=False)] == [clip.id]


def test_an_unknown_label_leaves_the_clip_as_it_was(project, video):
    clip = project.set_clip_labels(project.clips()[0].id, ["walk"])
    with pytest.raises(ProjectError, match="unknown label 'swim'"):
        project.set_clip_labels(clip.id, ["wave", "swim"])
    assert project.clips()[0].labels == ("walk",)


def test_clips_query_by_label(project, video):
    sub = project.split_videos(5, ["a"])
    project.set_clip_labels(sub[1].id, ["jump"])
    assert [(c.start, c.end) for c in project.clips(label="jump")] == [(5.0, 10.0)]


def test_removing_a_video_clip_removes_its_labels_only(project, video):
    clip = project.set_clip_labels(project.add_clip("a", 1, 2).id, ["walk"])
    project.remove_clip(clip.id)
    assert [label.name for label in project.labels()] == ["walk", "wave", "jump"]
    with pytest.raises(ProjectError, match="no clip"):
        project.set_clip_labels(clip.id, ["walk"])
