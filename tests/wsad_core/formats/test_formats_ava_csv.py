from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsad_core.errors import FormatError
from wsad_core.formats import AvaRow, ava_keyframe_groups, read_ava_csv, write_ava_csv

GT = """-5KQ66BBWC4,0902,0.077,0.151,0.283,0.811,80,1
-5KQ66BBWC4,0902,0.077,0.151,0.283,0.811,12,1
-5KQ66BBWC4,0903,0.000,0.000,1.000,1.000,17
1j20qq1JyX4,0905
"""


def test_reads_ground_truth_with_person_ids_and_keyframe_rows(write_file) -> None:
    rows = read_ava_csv(write_file("gt.csv", GT))
    assert rows == [
        AvaRow("-5KQ66BBWC4", 902.0, (0.077, 0.151, 0.283, 0.811), 80, person_id=1),
        AvaRow("-5KQ66BBWC4", 902.0, (0.077, 0.151, 0.283, 0.811), 12, person_id=1),
        AvaRow("-5KQ66BBWC4", 903.0, (0.0, 0.0, 1.0, 1.0), 17),
        AvaRow("1j20qq1JyX4", 905.0, None, None),
    ]


def test_header_crlf_and_trailing_blank_lines_are_accepted(write_file) -> None:
    text = "video_id,timestamp,x1,y1,x2,y2,action_id,person_id\r\nv,0902,0.1,0.2,0.3,0.4,5,0\r\n\r\n"
    rows = read_ava_csv(write_file("gt.csv", text))
    assert rows == [AvaRow("v", 902.0, (0.1, 0.2, 0.3, 0.4), 5, person_id=0)]


def test_detections_carry_scores(write_file) -> None:
    rows = read_ava_csv(write_file("det.csv", "v,0902.5,0.1,0.2,0.3,0.4,5,0.25\nv,0903\n"), kind="detections")
    assert rows == [AvaRow("v", 902.5, (0.1, 0.2, 0.3, 0.4), 5, score=0.25), AvaRow("v", 903.0, None, None)]


def test_person_boxes_accept_empty_or_placeholder_action(write_file) -> None:
    text = "v,0902,0.1,0.2,0.3,0.4,,0.99\nv,0902,0.1,0.2,0.3,0.4,-1,0.5\nv,0903,0.1,0.2,0.3,0.4,1\n"
    rows = read_ava_csv(write_file("boxes.csv", text), kind="boxes")
    assert [(r.action_id, r.score) for r in rows] == [(None, 0.99), (None, 0.5), (1, None)]


def test_coordinates_just_outside_unit_range_are_clamped(write_file) -> None:
    rows = read_ava_csv(write_file("gt.csv", "v,1,-0.0000005,0,1.0000009,1,3\n"))
    assert rows[0].box == (0.0, 0.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("line", "kind", "field", "words"),
    [
        ("v,0902,0.1,0.2,0.3", "gt", None, "columns"),
        ("v,0902,0.1,0.2,0.3,0.4,5,1,9", "gt", None, "columns"),
        ("v,0902,0.1,0.2,0.3,0.4,5", "detections", None, "columns"),
        (",0902,0.1,0.2,0.3,0.4,5", "gt", "video_id", "empty"),
        ("v,09:02,0.1,0.2,0.3,0.4,5", "gt", "timestamp", "number"),
        ("v,nan,0.1,0.2,0.3,0.4,5", "gt", "timestamp", "number"),
        ("v,-3,0.1,0.2,0.3,0.4,5", "gt", "timestamp", "negative"),
        ("v,0902,abc,0.2,0.3,0.4,5", "gt", "x1", "number"),
        ("v,0902,0.1,0.2,1.2,0.4,5", "gt", "x2", "outside"),
        ("v,0902,0.1,-0.2,0.3,0.4,5", "gt", "y1", "outside"),
        ("v,0902,0.5,0.2,0.3,0.4,5", "gt", "x2", "greater"),
        ("v,0902,0.1,0.5,0.3,0.4,5", "gt", "y2", "greater"),
        ("v,0902,0.1,0.2,0.3,0.4,walk", "gt", "action_id", "integer"),
        ("v,0902,0.1,0.2,0.3,0.4,5.0", "gt", "action_id", "integer"),
        ("v,0902,0.1,0.2,0.3,0.4,", "gt", "action_id", "integer"),
        ("v,0902,0.1,0.2,0.3,0.4,0", "gt", "action_id", "positive"),
        ("v,0902,0.1,0.2,0.3,0.4,5,0.9", "gt", "person_id", "integer"),
        ("v,0902,0.1,0.2,0.3,0.4,5,high", "detections", "score", "number"),
        ("v,0902,0.1,0.2,0.3,0.4,x,0.9", "boxes", "action_id", "integer"),
    ],
)
def test_row_errors_name_file_row_and_field(write_file, check_error, line, kind, field, words) -> None:
    path = write_file("bad.csv", f"v,0901,0.1,0.2,0.3,0.4,5,0\nv,0901\n{line}\n")
    with pytest.raises(FormatError) as info:
        read_ava_csv(path, kind=kind)
    check_error(info.value, path, 3, field)
    assert words in str(info.value)


def test_blank_lines_do_not_shift_row_numbers(write_file, check_error) -> None:
    path = write_file("gt.csv", "v,0901\n\nv,0902\nv,x\n")
    with pytest.raises(FormatError) as info:
        read_ava_csv(path)
    check_error(info.value, path, 4, "timestamp")


def test_header_only_on_the_first_line(write_file, check_error) -> None:
    path = write_file("gt.csv", "v,0901\nvideo_id,timestamp\n")
    with pytest.raises(FormatError) as info:
        read_ava_csv(path)
    check_error(info.value, path, 2, "timestamp")


def test_unknown_kind(write_file) -> None:
    with pytest.raises(ValueError):
        read_ava_csv(write_file("gt.csv", ""), kind="predictions")  # type: ignore[arg-type]


def test_write_uses_the_official_layout(tmp_path) -> None:
    path = tmp_path / "out.csv"
    write_ava_csv(
        [
            AvaRow("v", 902.0, (0.07712, 0.15, 0.2834, 0.8), 80, person_id=1),
            AvaRow("v", 902.5, (0.0, 0.0, 1.0, 1.0), 5, score=0.875),
            AvaRow("v", 7.25, (0.1, 0.1, 0.2, 0.2), None, score=0.5),
            AvaRow("w", 1000.0, None, None),
        ],
        path,
    )
    assert path.read_text() == (
        "v,0902,0.077,0.150,0.283,0.800,80,1\n"
        "v,902.5,0.000,0.000,1.000,1.000,5,0.875\n"
        "v,7.25,0.100,0.100,0.200,0.200,,0.5\n"
        "w,1000\n"
    )


@pytest.mark.parametrize(
    "row",
    [
        AvaRow("v", 1.0, None, 3),
        AvaRow("v", 1.0, (0.1, 0.1, 0.2, 0.2), 3, person_id=1, score=0.5),
        AvaRow("v", 1.0, (0.3, 0.1, 0.2, 0.2), 3),
        AvaRow("", 1.0, None, None),
    ],
)
def test_write_refuses_rows_the_format_cannot_hold(tmp_path, row) -> None:
    with pytest.raises(ValueError):
        write_ava_csv([row], tmp_path / "out.csv")


unit = st.integers(0, 1000).map(lambda n: n / 1000)


@st.composite
def ava_rows(draw: st.DrawFn) -> AvaRow:
    video = draw(st.text("abcXYZ019-_", min_size=1, max_size=11))
    whole = st.integers(0, 20_000).map(float)
    timestamp = draw(whole | st.integers(0, 10**7).map(lambda n: n / 1000))
    if draw(st.booleans()):
        return AvaRow(video, timestamp, None, None)
    x1, x2 = sorted(draw(st.tuples(unit, unit)))
    y1, y2 = sorted(draw(st.tuples(unit, unit)))
    person = draw(st.none() | st.integers(0, 500))
    return AvaRow(video, timestamp, (x1, y1, x2, y2), draw(st.integers(1, 80)), person_id=person)


@settings(max_examples=50, deadline=None)
@given(st.lists(ava_rows(), max_size=12))
def test_write_read_round_trip(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("ava") / "rows.csv"
    write_ava_csv(rows, path)
    assert read_ava_csv(path) == rows


def test_keyframe_groups_keep_order() -> None:
    a = AvaRow("v", 1.0, (0.1, 0.1, 0.2, 0.2), 3)
    b = AvaRow("v", 2.0, None, None)
    c = AvaRow("v", 1.0, (0.1, 0.1, 0.2, 0.2), 4)
    assert ava_keyframe_groups([a, b, c]) == {("v", 1.0): [a, c], ("v", 2.0): [b]}


_TOKENS = ["0902", "0.5", "0.25", "1", "-1", "0", "", "nan", "inf", "1_0", "1e-7", "-0.0000001", "1.0000001"]
_TOKENS += [" 3 ", "x", "80", "٣"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_TOKENS), min_size=7, max_size=8),
    st.sampled_from(["gt", "detections", "boxes"]),
)
def test_fast_path_agrees_with_the_validating_parser(fields, kind) -> None:
    from wsad_core.formats.ava_csv import _parse_common_row, _parse_row

    fields = ["vid", *fields[1:]]
    fast = _parse_common_row(fields, kind, 1)
    try:
        slow = _parse_row(fields, kind, "f.csv", 1)
    except FormatError:
        assert fast is None
    else:
        assert fast is None or fast == slow


def test_unreadable_files_are_format_errors(tmp_path, write_file, check_error) -> None:
    path = write_file("latin1.csv", data="vidé,0902\n".encode("latin-1"))
    with pytest.raises(FormatError, match="UTF-8") as info:
        read_ava_csv(path)
    check_error(info.value, path)
    with pytest.raises(FormatError) as info:
        read_ava_csv(tmp_path / "missing.csv")
    check_error(info.value, tmp_path / "missing.csv")


def test_rows_remember_their_line_in_the_file(tmp_path) -> None:
    path = tmp_path / "gt.csv"
    path.write_text("v,0902,0.1,0.1,0.2,0.2,12,0\n\nv,0903\nv,0904,0.1,0.1,0.2,0.2,12\n")
    assert [row.row for row in read_ava_csv(path)] == [1, 3, 4]
