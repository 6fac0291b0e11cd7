from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsad_core.errors import FormatError
from wsad_core.formats import ClipLabelRow, read_clip_labels_csv, write_clip_labels_csv


def test_reads_rows_with_header_and_line_numbers(write_file) -> None:
    text = (
        "video,start,end,labels\n"
        "match.mp4,0,5,sit; talk to\n"
        "\n"
        "match.mp4,5,7.5,\n"
        '"a,b.mp4",1,2,"point, then shout"\n'
    )
    assert read_clip_labels_csv(write_file("clips.csv", text)) == [
        ClipLabelRow("match.mp4", 0.0, 5.0, ("sit", "talk to"), 2),
        ClipLabelRow("match.mp4", 5.0, 7.5, (), 4),
        ClipLabelRow("a,b.mp4", 1.0, 2.0, ("point, then shout",), 5),
    ]


def test_header_is_optional(write_file) -> None:
    rows = read_clip_labels_csv(write_file("clips.csv", "v,0,1,walk\n"))
    assert rows == [ClipLabelRow("v", 0.0, 1.0, ("walk",), 1)]


def test_multiline_quoted_field_reports_its_first_line(write_file, check_error) -> None:
    path = write_file("clips.csv", 'v,0,1,"walk\n"\nv,x,1,\n')
    with pytest.raises(FormatError) as info:
        read_clip_labels_csv(path)
    check_error(info.value, path, 3, "start")


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("v,0,1", None, "4 columns"),
        ("v,0,1,a,b", None, "4 columns"),
        (" ,0,1,a", "video", "empty"),
        ("v,zero,1,a", "start", "number"),
        ("v,0,inf,a", "end", "number"),
        ("v,-1,1,a", "start", "negative"),
        ("v,2,1,a", "end", "after start"),
        ("v,2,2,a", "end", "after start"),
        ("v,0,1,a;;b", "labels", "empty"),
        ("v,0,1,a;", "labels", "empty"),
        ("v,0,1,; a", "labels", "empty"),
        ("v,0,1,a;b; a", "labels", "repeated"),
        ("first.mp4,10,20.0,b", "video", "row 2"),
    ],
)
def test_errors_name_file_row_and_field(write_file, check_error, line, field, words) -> None:
    path = write_file("clips.csv", f"video,start,end,labels\nfirst.mp4,10,20,a\n\n{line}\n")
    with pytest.raises(FormatError) as info:
        read_clip_labels_csv(path)
    check_error(info.value, path, 4, field)
    assert words in str(info.value)


def test_write_is_compact_and_quotes_when_needed(tmp_path) -> None:
    path = tmp_path / "clips.csv"
    write_clip_labels_csv(
        [
            ClipLabelRow("v.mp4", 0.0, 5.0, ("sit", "talk to")),
            ClipLabelRow("v.mp4", 5, 7.5, ("a, b",)),
            ClipLabelRow("w", 0.1, 2.5, ()),
        ],
        path,
    )
    assert path.read_text() == (
        'video,start,end,labels\nv.mp4,0,5,sit;talk to\nv.mp4,5,7.5,"a, b"\nw,0.1,2.5,\n'
    )


@pytest.mark.parametrize(
    "rows",
    [
        [ClipLabelRow("v", 1.0, 1.0, ())],
        [ClipLabelRow("v", -1.0, 1.0, ())],
        [ClipLabelRow(" v", 0.0, 1.0, ())],
        [ClipLabelRow("v", 0.0, 1.0, ("a;b",))],
        [ClipLabelRow("v", 0.0, 1.0, (" a",))],
        [ClipLabelRow("v", 0.0, 1.0, ("a", "a"))],
        [ClipLabelRow("v", 0.0, 1.0, ()), ClipLabelRow("v", 0.0, 1.0, ("a",))],
    ],
)
def test_write_refuses_rows_that_would_not_read_back(tmp_path, rows) -> None:
    with pytest.raises(ValueError):
        write_clip_labels_csv(rows, tmp_path / "clips.csv")


label = st.text(min_size=1, max_size=12).map(str.strip).filter(lambda s: s and ";" not in s and "\r" not in s)


@st.composite
def clip_rows(draw: st.DrawFn) -> ClipLabelRow:
    video = draw(st.text(min_size=1, max_size=12).map(str.strip).filter(lambda s: s and "\r" not in s))
    start = draw(st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
    length = draw(st.floats(1e-3, 1e4, allow_nan=False, allow_infinity=False))
    labels = draw(st.lists(label, max_size=4, unique=True))
    return ClipLabelRow(video, start, start + length, tuple(labels))


@settings(max_examples=60, deadline=None)
@given(st.lists(clip_rows(), max_size=8, unique_by=lambda r: (r.video, r.start, r.end)))
def test_write_read_round_trip(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("clips") / "clips.csv"
    write_clip_labels_csv(rows, path)
    back = read_clip_labels_csv(path)
    assert [dataclasses.replace(r, row=0) for r in back] == rows
