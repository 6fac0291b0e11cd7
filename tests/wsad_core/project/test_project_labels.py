import pytest

from wsad_core.errors import ProjectError


def test_labels_get_ids_colours_and_keys(project):
    walk = project.add_label("walk")
    run = project.add_label("  run   fast ")
    assert (walk.external_id, walk.shortcut) == (1, "1")
    assert (run.name, run.external_id, run.shortcut) == ("run fast", 2, "2")
    assert walk.color != run.color


def test_duplicate_names_ids_and_keys_are_refused(project):
    project.add_label("walk", external_id=14, shortcut="w")
    with pytest.raises(ProjectError, match="already exists"):
        project.add_label("walk")
    with pytest.raises(ProjectError, match="id 14 is already used"):
        project.add_label("stroll", external_id=14)
    with pytest.raises(ProjectError, match="already used by label 'walk'"):
        project.add_label("stroll", shortcut="w")
    with pytest.raises(ProjectError, match="cannot be empty"):
        project.add_label("   ")


def test_a_batch_with_one_bad_name_adds_nothing(project):
    with pytest.raises(ProjectError):
        project.add_labels(["a", "b", "a"])
    assert project.labels() == []


def test_builtin_ava_label_map(project):
    added = project.add_label_map("ava-v2.2")
    assert len(added) == 80
    by_id = {label.external_id: label.name for label in project.labels()}
    assert by_id[12] == "stand" and by_id[80] == "watch (a person)"
    assert project.add_label_map("ava-v2.2-eval") == []


def test_a_label_map_that_clashes_with_the_vocabulary_is_refused(project):
    project.add_label("sit", external_id=1)
    with pytest.raises(ProjectError, match="label id 1 is 'sit' in the project"):
        project.add_label_map("ava-v2.2")
    assert [label.name for label in project.labels()] == ["sit"]


def test_a_label_in_use_cannot_be_removed(project, make_video):
    project.import_videos([make_video("a.mp4")])
    project.add_label("wave")
    project.add_label("unused")
    clip = project.clips()[0]
    project.set_clip_labels(clip.id, ["wave"])
    with pytest.raises(ProjectError, match="used by 1 clip"):
        project.remove_label("wave")
    project.remove_label("unused")
    assert [label.name for label in project.labels()] == ["wave"]


def test_rename_and_rekey(project):
    project.add_label("wave")
    label = project.update_label("wave", new_name="wave hand", shortcut="h", color="#123456")
    assert (label.name, label.shortcut, label.color) == ("wave hand", "h", "#123456")
    with pytest.raises(ProjectError, match="one letter or digit"):
        project.update_label("wave hand", shortcut="F1")
