"""AVA and UCF101-24 ground truth in a project, and weak labels derived from it."""

import csv
import pickle
import random
from collections import defaultdict

import numpy as np
import pytest

from wsad_core.errors import FormatError, ProjectError
from wsad_core.formats import UcfAnnotations, UcfTube, UcfVideo, read_ava_csv, write_ucf24_act
from wsad_core.project import (
    export_ava_ground_truth,
    import_ava_ground_truth,
    import_ucf24_ground_truth,
)

SIT, STAND, WALK, CARRY, TALK, WATCH = 11, 12, 14, 17, 79, 80
NAMES = {
    SIT: "sit",
    STAND: "stand",
    WALK: "walk",
    CARRY: "carry/hold (an object)",
    TALK: "talk to (e.g., self, a person, a group)",
    WATCH: "watch (a person)",
}

SMALL_AVA = f"""\
vidA,0902,0.1,0.1,0.4,0.9,{SIT},0
vidA,0902,0.1,0.1,0.4,0.9,{TALK},0
vidA,0902,0.5,0.2,0.8,0.95,{STAND},1
vidA,0903
vidA,0905,0.12,0.1,0.42,0.9,{WALK},0
vidA,0909,0.2,0.1,0.5,0.9,{CARRY},0
vidA,0910,0.5,0.2,0.8,0.95,{WATCH},1
vidA,0911
"""


def spans(project, video="vidA"):
    return {
        (c.start, c.end): set(c.labels)
        for c in project.clips(video=video)
        if c.labelled
    }


def names(*ids):
    return {NAMES[i] for i in ids}


@pytest.fixture
def small_ava(project, tmp_path):
    path = tmp_path / "gt.csv"
    path.write_text(SMALL_AVA)
    report = import_ava_ground_truth(project, path, label_map="ava-v2.2")
    assert (report.videos, report.annotated_frames, report.boxes, report.placeholders) == (1, 6, 6, 1)
    return project


def test_sub_clip_labels_are_unions_of_keyframe_actions_checked_by_hand(small_ava):
    project = small_ava
    project.derive_weak_labels(1)
    assert spans(project) == {
        (902.0, 903.0): names(SIT, TALK, STAND),
        (903.0, 904.0): set(),  # an annotated keyframe with nobody acting: a negative clip
        (905.0, 906.0): names(WALK),
        (909.0, 910.0): names(CARRY),
        (910.0, 911.0): names(WATCH),
        (911.0, 912.0): set(),
    }


def test_five_and_ten_second_sub_clips_checked_by_hand(small_ava, project):
    project.derive_weak_labels(5)
    five = {span: labels for span, labels in spans(project).items() if span[1] - span[0] == 5}
    assert five == {
        (900.0, 905.0): names(SIT, TALK, STAND),
        (905.0, 910.0): names(WALK, CARRY),
        (910.0, 915.0): names(WATCH),
    }
    project.derive_weak_labels(10)
    ten = {span: labels for span, labels in spans(project).items() if span[1] - span[0] == 10}
    assert ten == {
        (900.0, 910.0): names(SIT, TALK, STAND, WALK, CARRY),
        (910.0, 920.0): names(WATCH),
    }


def test_whole_video_labels(small_ava, project):
    project.derive_weak_labels(None)
    assert spans(project) == {(902.0, 912.0): names(SIT, TALK, STAND, WALK, CARRY, WATCH)}


def test_labels_people_set_are_not_overwritten(small_ava, project):
    clip = project.add_clip("vidA", 905, 910)
    project.set_clip_labels(clip.id, ["sit"])
    report = project.derive_weak_labels(5)
    assert report.skipped_user_labelled == 1
    assert spans(project)[(905.0, 910.0)] == {"sit"}
    project.derive_weak_labels(5, overwrite=True)
    assert spans(project)[(905.0, 910.0)] == names(WALK, CARRY)


def write_random_ava(path, rows_wanted, seed=0):
    """An AVA-like CSV: 3 videos, keyframes from 902 on, 1-4 people, 1-3 evaluated actions."""
    rng = random.Random(seed)
    evaluated = [i for i in range(1, 81) if i not in
                 {2, 16, 18, 19, 21, 23, 25, 31, 32, 33, 35, 39, 40, 42, 44, 50, 53, 55, 71, 75}]
    rows = []
    while len(rows) < rows_wanted:
        video = rng.choice(["-5KQ66BBWC4", "1j20qq1JyX4", "2PpxiG0WU18"])
        ts = rng.randint(902, 1000)
        for person in range(rng.randint(1, 4)):
            x1, y1 = rng.uniform(0, 0.5), rng.uniform(0, 0.5)
            box = [f"{x1:.3f}", f"{y1:.3f}", f"{x1 + 0.3:.3f}", f"{y1 + 0.4:.3f}"]
            for action in rng.sample(evaluated, rng.randint(1, 3)):
                rows.append([video, f"{ts:04d}", *box, str(action), str(person)])
    rows = rows[:rows_wanted]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return rows


@pytest.mark.parametrize("seconds", [1, 5, 10])
def test_a_thousand_row_ava_file_gives_the_unions_computed_independently(project, tmp_path, seconds):
    rows = write_random_ava(tmp_path / "ava.csv", 1000)
    import_ava_ground_truth(project, tmp_path / "ava.csv", label_map="ava-v2.2")
    id_to_name = {label.external_id: label.name for label in project.labels()}
    expected = defaultdict(set)
    for video, ts, *_box, action, _person in rows:
        start = (int(ts) // seconds) * seconds
        expected[(video, float(start), float(start + seconds))].add(id_to_name[int(action)])
    project.derive_weak_labels(seconds)
    got = {(c.video_name, c.start, c.end): set(c.labels) for c in project.clips(labelled=True)}
    assert got == dict(expected)


def test_ava_ground_truth_round_trips_through_export(small_ava, project, tmp_path):
    out = tmp_path / "out.csv"
    assert export_ava_ground_truth(project, out) == 8
    original = read_ava_csv(tmp_path / "gt.csv")
    exported = read_ava_csv(out)
    key = lambda r: (r.video_id, r.timestamp, r.person_id or 0, r.action_id or 0)  # noqa: E731
    assert sorted(exported, key=key) == sorted(original, key=key)
    with pytest.raises(Exception, match="already exists"):
        export_ava_ground_truth(project, out)


def test_reimporting_ava_replaces_a_videos_ground_truth(small_ava, project, tmp_path):
    path = tmp_path / "gt.csv"
    import_ava_ground_truth(project, path)
    assert project.summary()["gt_boxes"] == 6
    assert project.summary()["annotated_frames"] == 6


def test_ava_import_marks_the_split_of_its_videos(project, tmp_path):
    path = tmp_path / "val.csv"
    path.write_text("v,0902,0.1,0.1,0.2,0.2,12,0\n")
    import_ava_ground_truth(project, path, label_map="ava-v2.2", split="val")
    assert project.video("v").split == "val"
    with pytest.raises(ProjectError, match="unknown split 'dev'"):
        import_ava_ground_truth(project, path, split="dev")


def test_an_unknown_action_is_an_error_naming_the_row_unless_skipped(project, tmp_path):
    project.add_label_map("ava-v2.2-eval")
    path = tmp_path / "gt.csv"
    path.write_text("v,0902,0.1,0.1,0.2,0.2,12,0\nv,0902,0.1,0.1,0.2,0.2,2,0\n")
    with pytest.raises(FormatError, match=r"gt.csv, row 2, field 'action_id'"):
        import_ava_ground_truth(project, path)
    assert project.summary()["gt_boxes"] == 0 and project.videos() == []
    report = import_ava_ground_truth(project, path, skip_unknown_actions=True)
    assert report.boxes == 1


def test_keyframe_frames_are_filled_in_when_the_video_arrives(small_ava, project, make_video):
    path = make_video("vidA.mp4", frames=50, fps=25)
    report = project.import_videos([path])
    assert [v.name for v in report.linked] == ["vidA"]
    with project.reading() as session:
        from sqlalchemy import text

        frames = session.execute(text("SELECT time, frame FROM annotated_frames ORDER BY time")).all()
    assert frames[0] == (902.0, 902 * 25)


def ucf_annotations():
    tube_a = UcfTube(label=0, frames=np.arange(2, 12), boxes=np.tile([10.0, 20.0, 110.0, 220.0], (10, 1)))
    tube_b = UcfTube(label=0, frames=np.arange(5, 8), boxes=np.tile([200.0, 30.0, 300.0, 230.0], (3, 1)))
    video = UcfVideo(
        name="Basketball/v_Basketball_g01_c01", label=0, nframes=20, width=320, height=240,
        split="test", tubes=[tube_a, tube_b],
    )
    return UcfAnnotations(labels=["Basketball", "Biking"], videos={video.name: video}, source_format="act")


def test_ucf24_ground_truth_without_videos_then_linked_by_name(project, tmp_path, make_video):
    path = tmp_path / "UCF101v2-GT.pkl"
    write_ucf24_act(ucf_annotations(), path)
    report = import_ucf24_ground_truth(project, path)
    assert (report.videos, report.annotated_frames, report.boxes, report.placeholders) == (1, 20, 13, 1)
    placeholder = project.video("Basketball/v_Basketball_g01_c01")
    assert (placeholder.status, placeholder.path, placeholder.frame_count) == ("missing", None, 20)
    assert placeholder.split == "test"
    assert {label.name for label in project.labels()} == {"Basketball", "Biking"}

    project.derive_weak_labels(None)
    assert spans(project, "Basketball/v_Basketball_g01_c01") == {(0.0, 0.8): {"Basketball"}}

    file = make_video("v_Basketball_g01_c01.mp4", frames=20, fps=25, folder=tmp_path / "ucf" / "Basketball")
    linked = project.import_videos([tmp_path / "ucf"]).linked
    assert [v.name for v in linked] == ["Basketball/v_Basketball_g01_c01"]
    assert project.video("Basketball/v_Basketball_g01_c01").path == str(file.resolve())


def test_ucf24_pyannot_format_with_small_integer_types(project, tmp_path):
    annotations = {
        "Biking/v_Biking_g01_c01": {
            "label": np.uint8(2),
            "numf": np.uint16(300),
            "annotations": [
                {
                    "label": np.uint8(2),
                    "sf": np.uint8(200),
                    "ef": np.uint16(300),
                    "boxes": np.tile(np.array([10, 10, 50, 100], dtype=np.uint16), (100, 1)),
                }
            ],
        }
    }
    path = tmp_path / "pyannot.pkl"
    path.write_bytes(pickle.dumps(annotations, protocol=2))
    report = import_ucf24_ground_truth(project, path)
    assert (report.annotated_frames, report.boxes) == (300, 100)
    with project.reading() as session:
        from sqlalchemy import text

        box = session.execute(
            text("SELECT f.frame, b.x1, b.y1, b.x2, b.y2 FROM gt_boxes b "
                 "JOIN annotated_frames f ON f.id = b.annotated_frame_id ORDER BY f.frame LIMIT 1")
        ).one()
    assert box == (200, 10 / 320, 10 / 240, 60 / 320, 110 / 240)


def test_people_per_annotated_frame_merge_one_row_per_action(small_ava, project, make_video):
    project.import_videos([make_video("vidA.mp4", frames=50, fps=25)])
    people = project.ground_truth_people(["vidA", "not-a-video"])
    assert sorted(people) == [("vidA", t * 25) for t in (902, 903, 905, 909, 910, 911)]
    first = people[("vidA", 902 * 25)]
    assert [(p.box, set(p.labels)) for p in first] == [
        ((0.1, 0.1, 0.4, 0.9), names(SIT, TALK)),
        ((0.5, 0.2, 0.8, 0.95), names(STAND)),
    ]
    assert people[("vidA", 903 * 25)] == []  # annotated, nobody acting
    assert project.ground_truth_people([]) == {}


def test_people_without_person_ids_are_merged_by_their_box(project, tmp_path, make_video):
    path = tmp_path / "gt.csv"
    path.write_text(
        f"vidA,0902,0.1,0.1,0.4,0.9,{SIT}\nvidA,0902,0.5,0.2,0.8,0.95,{STAND}\nvidA,0902,0.1,0.1,0.4,0.9,{TALK}\n"
    )
    import_ava_ground_truth(project, path, label_map="ava-v2.2")
    project.import_videos([make_video("vidA.mp4", frames=50, fps=25)])
    (frame,) = project.ground_truth_people(["vidA"]).values()
    assert sorted((p.box, p.labels) for p in frame) == [
        ((0.1, 0.1, 0.4, 0.9), (NAMES[SIT], NAMES[TALK])),
        ((0.5, 0.2, 0.8, 0.95), (NAMES[STAND],)),
    ]
