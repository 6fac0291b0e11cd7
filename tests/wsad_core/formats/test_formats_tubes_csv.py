"""Tubes CSV: writing action tubes, reading them back exactly, and naming bad rows."""

from __future__ import annotations

import numpy as np
import pytest

from wsad_core.errors import FormatError
from wsad_core.formats.tubes_csv import HEADER, read_tubes_csv, write_tubes_csv
from wsad_core.tubes.action_tubes import ActionTube

HEAD = ",".join(HEADER) + "\n"


def action_tube(video, label, score, first, boxes, scores, uncertainty=None):
    boxes = np.asarray(boxes, dtype=np.float64)
    frames = np.arange(first, first + len(boxes))
    unc = None if uncertainty is None else np.asarray(uncertainty, dtype=np.float64)
    return ActionTube(video, label, score, frames, boxes, np.asarray(scores, dtype=np.float64), unc)


def test_written_rows_follow_the_header_and_number_tubes_per_video(tmp_path) -> None:
    tubes = [
        action_tube("v1", 1, 0.75, 3, [[1, 2, 30.5, 40], [2, 3, 31, 41]], [0.7, 0.8], [0.1, 0.2]),
        action_tube("v2", 0, 0.5, 0, [[0, 0, 10, 10]], [0.5]),
        action_tube("v1", 0, 0.25, 10, [[5, 5, 6, 6]], [0.25]),
    ]
    path = tmp_path / "tubes.csv"
    assert write_tubes_csv(tubes, path, label_names=["run", "jump"], fps={"v1": 25.0, "v2": 10.0}) == 4
    assert path.read_text().splitlines() == [
        HEAD.strip(),
        "v1,0,jump,1,0.75,3,0.12,1.0,2.0,30.5,40.0,0.7,0.1",
        "v1,0,jump,1,0.75,4,0.16,2.0,3.0,31.0,41.0,0.8,0.2",
        "v2,0,run,0,0.5,0,0.0,0.0,0.0,10.0,10.0,0.5,",
        "v1,1,run,0,0.25,10,0.4,5.0,5.0,6.0,6.0,0.25,",
    ]


def test_reading_back_gives_exactly_the_written_values(tmp_path) -> None:
    rng = np.random.default_rng(0)
    boxes = np.sort(rng.uniform(0, 320, (6, 2, 2)), axis=1).transpose(0, 2, 1).reshape(6, 4)[:, [0, 2, 1, 3]]
    tube = action_tube("Basketball/v_Basketball_g01_c01", 3, 1 / 3, 7, boxes, rng.uniform(size=6), rng.uniform(size=6))
    path = tmp_path / "tubes.csv"
    write_tubes_csv([tube], path, label_names=list("abcd"), fps=29.97)
    (read,) = read_tubes_csv(path)
    assert (read.video_id, read.tube_id, read.label, read.label_id, read.score) == (
        "Basketball/v_Basketball_g01_c01", 0, "d", 3, 1 / 3,
    )
    assert np.array_equal(read.frames, np.arange(7, 13))
    assert np.array_equal(read.boxes, boxes)
    assert np.array_equal(read.frame_scores, tube.frame_scores)
    assert np.array_equal(read.uncertainty, tube.frame_uncertainty)
    assert np.array_equal(read.times, np.arange(7, 13) / 29.97)


def test_rows_in_any_order_group_into_tubes_sorted_by_frame(write_file) -> None:
    text = HEAD + (
        "w,0,b,,0.5,4,0.4,0,0,1,1,0.5,\n"
        "v,1,b,,0.5,4,0.4,0,0,1,1,0.5,\n"
        "v,0,a,0,0.9,2,0.2,0,0,2,2,0.8,1.5\n"
        "v,1,b,,0.5,3,0.3,0,0,1,1,0.4,\n"
        "v,0,a,0,0.9,1,0.1,0,0,3,3,0.7,\n"
    )
    first, second, third = read_tubes_csv(write_file("t.csv", text))
    assert (first.video_id, first.tube_id, first.label_id) == ("v", 0, 0)
    assert list(first.frames) == [1, 2] and list(first.boxes[:, 2]) == [3, 2]
    assert np.isnan(first.uncertainty[0]) and first.uncertainty[1] == 1.5
    assert (second.video_id, second.tube_id, second.label, second.label_id) == ("v", 1, "b", None)
    assert list(second.frames) == [3, 4] and list(second.frame_scores) == [0.4, 0.5]
    assert (third.video_id, list(third.frames)) == ("w", [4])


def test_a_label_id_alone_is_enough(write_file) -> None:
    (tube,) = read_tubes_csv(write_file("t.csv", HEAD + "v,0,,4,0.5,0,0,0,0,1,1,0.5,\n"))
    assert (tube.label, tube.label_id) == ("", 4)


def test_header_only_gives_no_tubes_and_blank_lines_are_skipped(write_file) -> None:
    assert read_tubes_csv(write_file("t.csv", HEAD + "\n")) == []
    assert len(read_tubes_csv(write_file("u.csv", HEAD + "\nv,0,a,0,1,0,0,0,0,1,1,1,\n\n"))) == 1


GOOD = "v,0,a,0,0.5,3,0.12,1,2,3,4,0.5,0.1"


@pytest.mark.parametrize(
    "row, field, reason",
    [
        ("v,0,a,0,0.5,3,0.12,1,2,3,4,0.5", None, "columns"),
        (",0,a,0,0.5,3,0.12,1,2,3,4,0.5,0.1", "video_id", "empty"),
        ("v,x,a,0,0.5,3,0.12,1,2,3,4,0.5,0.1", "tube_id", "integer"),
        ("v,0,a,-1,0.5,3,0.12,1,2,3,4,0.5,0.1", "label_id", "negative"),
        ("v,0,,,0.5,3,0.12,1,2,3,4,0.5,0.1", "label", "label or a label_id"),
        ("v,0,a,0,nan,3,0.12,1,2,3,4,0.5,0.1", "tube_score", "number"),
        ("v,0,a,0,0.5,3.0,0.12,1,2,3,4,0.5,0.1", "frame", "integer"),
        ("v,0,a,0,0.5,-3,0.12,1,2,3,4,0.5,0.1", "frame", "negative"),
        ("v,0,a,0,0.5,3,abc,1,2,3,4,0.5,0.1", "time_s", "number"),
        ("v,0,a,0,0.5,3,0.12,1,2,3,inf,0.5,0.1", "y2", "number"),
        ("v,0,a,0,0.5,3,0.12,5,2,3,4,0.5,0.1", "x2", "greater"),
        ("v,0,a,0,0.5,3,0.12,1,5,3,4,0.5,0.1", "y2", "greater"),
        ("v,0,a,0,0.5,3,0.12,1,2,3,4,1_0,0.1", "score", "number"),
        ("v,0,a,0,0.5,3,0.12,1,2,3,4,0.5,-1", "uncertainty", "negative"),
        ("v,0,b,0,0.5,4,0.12,1,2,3,4,0.5,0.1", "label", "differs"),
        ("v,0,a,1,0.5,4,0.12,1,2,3,4,0.5,0.1", "label_id", "differs"),
        ("v,0,a,0,0.6,4,0.12,1,2,3,4,0.5,0.1", "tube_score", "differs"),
        ("v,0,a,0,0.6,2,0.12,1,2,3,4,0.5,0.1", "tube_score", "differs"),
        ("v,0,a,0,0.5,3,0.12,1,2,3,4,0.5,0.1", "frame", "already"),
    ],
)
def test_bad_rows_are_named_by_line_and_field(write_file, check_error, row, field, reason) -> None:
    # Line 1 header, line 2 a good row, line 3 blank, line 4 the row under test.
    path = write_file("t.csv", HEAD + GOOD + "\n\n" + row + "\n")
    with pytest.raises(FormatError, match=reason) as caught:
        read_tubes_csv(path)
    check_error(caught.value, path, row=4, field=field)


def test_a_wrong_header_is_refused(write_file, check_error) -> None:
    path = write_file("t.csv", "video_id,tube_id\n" + GOOD + "\n")
    with pytest.raises(FormatError, match="header") as caught:
        read_tubes_csv(path)
    check_error(caught.value, path, row=1)
    with pytest.raises(FormatError, match="empty"):
        read_tubes_csv(write_file("e.csv", ""))


def test_the_writer_refuses_what_the_format_cannot_hold(tmp_path) -> None:
    tube = action_tube("v", 2, 0.5, 0, [[0, 0, 1, 1]], [0.5])
    path = tmp_path / "t.csv"
    with pytest.raises(ValueError, match="label index"):
        write_tubes_csv([tube], path, label_names=["a", "b"], fps=25)
    with pytest.raises(ValueError, match="frame rate"):
        write_tubes_csv([tube], path, label_names=["a", "b", "c"], fps={"w": 25})
    assert not path.exists()
