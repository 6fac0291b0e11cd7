"""The fast AVA reader returns exactly what ``read_ava_csv`` reads, and fails the same way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsad_core.errors import FormatError
from wsad_core.evaluate import AvaArrays, read_ava_arrays, read_excluded_timestamps
from wsad_core.formats import read_ava_csv


def assert_same(arrays: AvaArrays, expected: AvaArrays) -> None:
    assert arrays.video_ids == expected.video_ids
    np.testing.assert_array_equal(arrays.video, expected.video)
    np.testing.assert_array_equal(arrays.timestamps, expected.timestamps)
    np.testing.assert_array_equal(arrays.boxes, expected.boxes)
    np.testing.assert_array_equal(arrays.actions, expected.actions)
    np.testing.assert_array_equal(arrays.scores, expected.scores)


def write(tmp_path: Path, text: str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


MIXED_GT = (
    "video_id,timestamp,x1,y1,x2,y2,action_id,person_id\r\n"
    "-5KQ66BBWC4,0902,0.077,0.151,0.283,0.811,80,1\r\n"
    "\r\n"
    "-5KQ66BBWC4,0902,0.077,0.151,0.283,0.811,9\r\n"
    "a_much_longer_video_identifier_than_usual,1.5,0,0.25,1,1.0000004,12,3\n"
    "-5KQ66BBWC4,0903\n"
    "b,0903.25,.5,0.5,0.75,0.9999999999999,1,0\n"
    "-5KQ66BBWC4,904,0.1,0.2,0.3,0.4,17,2"
)


def test_mixed_ground_truth_matches_read_ava_csv(tmp_path: Path) -> None:
    path = write(tmp_path, MIXED_GT)
    assert_same(read_ava_arrays(path, kind="gt"), AvaArrays.from_rows(read_ava_csv(path, kind="gt")))


def test_detections_with_unusual_numbers_match_read_ava_csv(tmp_path: Path) -> None:
    text = (
        "v1,0902,0.1,0.2,0.3,0.4,1,1e-05\n"
        "v1,0902,0.1,0.2,0.3,0.4,2,0.123456789012345678\n"
        "v1,0902,0.1,0.2,0.3,0.4,3,-0.5\n"
        "v1,0902,0.1,0.2,0.3,0.4,4,12345678.5\n"
        "v1,0902,0.1,0.2,0.3,0.4,+5, 7 \n"
        "v2,0902\n"
    )
    path = write(tmp_path, text)
    assert_same(
        read_ava_arrays(path, kind="detections"), AvaArrays.from_rows(read_ava_csv(path, kind="detections"))
    )


def test_quoted_files_fall_back_to_the_validating_reader(tmp_path: Path) -> None:
    path = write(tmp_path, '"v,1",0902,0.1,0.2,0.3,0.4,1,0.5\n')
    arrays = read_ava_arrays(path, kind="detections")
    assert arrays.video_ids == ("v,1",)


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        ("v,0902,0.1,0.2,0.3,0.4,1,0.5\nv,0902,0.1,0.2\n", 2, None),
        ("v,0902,0.1,0.2,0.3,0.4,1,0.5\nv,0902,0.1,0.2,0.3,0.4,1,abc\n", 2, "score"),
        ("v,0902,0.1,0.2,0.3,1.5,1,0.5\n", 1, "y2"),
        ("v,0902,0.5,0.2,0.3,0.4,1,0.5\n", 1, "x2"),
        ("v,0902,0.1,0.2,0.3,0.4,0,0.5\n", 1, "action_id"),
        ("v,0902,0.1,0.2,0.3,0.4,3.0,0.5\n", 1, "action_id"),
        ("v,0902,0.1,0.2,0.3,0.4,1,nan\n", 1, "score"),
        (",0902,0.1,0.2,0.3,0.4,1,0.5\n", 1, "video_id"),
        ("v,0902,0.1,0.2,0.3,0.4,1\n", 1, None),
    ],
)
def test_malformed_rows_name_the_row_and_field(tmp_path: Path, text: str, row: int, field: str | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FormatError) as caught:
        read_ava_arrays(path, kind="detections")
    assert caught.value.row == row
    assert caught.value.field == field


def test_empty_and_header_only_files_have_no_rows(tmp_path: Path) -> None:
    assert len(read_ava_arrays(write(tmp_path, ""))) == 0
    assert len(read_ava_arrays(write(tmp_path, "video_id,timestamp\n\n", "h.csv"), kind="detections")) == 0


def test_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError):
        read_ava_arrays(tmp_path / "missing.csv")


def test_excluded_timestamps(tmp_path: Path) -> None:
    path = write(tmp_path, "v1,0902\nv2,1798\n")
    assert read_excluded_timestamps(path) == {("v1", 902.0), ("v2", 1798.0)}
    with pytest.raises(FormatError):
        read_excluded_timestamps(write(tmp_path, "v1,0902,0.1,0.1,0.2,0.2,1\n", "bad.csv"))


numbers = st.one_of(
    st.floats(0, 1, allow_nan=False).map(repr),
    st.floats(0, 1, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.floats(0, 1, allow_nan=False).map(lambda x: f"{x:.6g}"),
    st.integers(0, 1).map(str),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "bb", "ccccccccccccc"]), st.integers(0, 20000),
                               st.lists(numbers, min_size=4, max_size=4), st.integers(1, 80), numbers),
                     min_size=1, max_size=30))
def test_parsed_values_equal_python_float(tmp_path_factory, rows) -> None:
    lines = []
    for video, time, coords, action, score in rows:
        x1, x2 = sorted(coords[::2], key=float)
        y1, y2 = sorted(coords[1::2], key=float)
        lines.append(f"{video},{time / 4},{x1},{y1},{x2},{y2},{action},{score}")
    path = tmp_path_factory.mktemp("csv") / "det.csv"
    path.write_text("\n".join(lines) + "\n")
    assert_same(read_ava_arrays(path, kind="detections"), AvaArrays.from_rows(read_ava_csv(path, kind="detections")))
