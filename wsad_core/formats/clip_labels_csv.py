"""Clip labels exchanged as CSV: ``video,start,end,labels``.

``labels`` holds label names separated by ``;``. An empty ``labels`` field is a
statement, not a gap: the clip was looked at and contains none of the actions.
Start and end are in seconds. Label names containing commas must be quoted, as
the ``csv`` module does on write.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike, iter_csv_records, parse_float

HEADER = ("video", "start", "end", "labels")
LABEL_SEPARATOR = ";"


@dataclass(frozen=True)
class ClipLabelRow:
    """One labelled clip; ``row`` is its 1-based line in the source file, 0 when not read from one."""

    video: str
    start: float
    end: float
    labels: tuple[str, ...]
    row: int = 0


def _parse_labels(text: str, path: PathLike, row: int) -> tuple[str, ...]:
    if not text.strip():
        return ()
    labels = tuple(part.strip() for part in text.split(LABEL_SEPARATOR))
    seen: set[str] = set()
    for position, label in enumerate(labels, start=1):
        if not label:
            raise FormatError(path, f"label {position} of {text!r} is empty", row=row, field="labels")
        if label in seen:
            raise FormatError(path, f"label {label!r} is repeated", row=row, field="labels")
        seen.add(label)
    return labels


def _parse_time(text: str, name: str, path: PathLike, row: int) -> float:
    value = parse_float(text, path, row, name)
    if value < 0:
        raise FormatError(path, f"{name} must not be negative, got {text!r}", row=row, field=name)
    return value


def read_clip_labels_csv(path: PathLike) -> list[ClipLabelRow]:
    """Read clip labels; a first line ``video,start,end,labels`` is a header. Blank lines are ignored."""
    rows: list[ClipLabelRow] = []
    first_row: dict[tuple[str, float, float], int] = {}
    for index, (row, fields) in enumerate(iter_csv_records(path)):
        if index == 0 and tuple(field.strip().lower() for field in fields) == HEADER:
            continue
        if len(fields) != len(HEADER):
            message = f"expected 4 columns (video,start,end,labels), got {len(fields)}"
            raise FormatError(path, message, row=row)
        video = fields[0].strip()
        if not video:
            raise FormatError(path, "video name is empty", row=row, field="video")
        start = _parse_time(fields[1], "start", path, row)
        end = _parse_time(fields[2], "end", path, row)
        if end <= start:
            message = f"end ({fields[2].strip()}) must be after start ({fields[1].strip()})"
            raise FormatError(path, message, row=row, field="end")
        labels = _parse_labels(fields[3], path, row)
        key = (video, start, end)
        if key in first_row:
            message = f"clip {video} {start}-{end} already labelled on row {first_row[key]}"
            raise FormatError(path, message, row=row, field="video")
        first_row[key] = row
        rows.append(ClipLabelRow(video, start, end, labels, row))
    return rows


def _format_seconds(value: float) -> str:
    """Shortest text that reads back as ``value``: ``0``, ``5``, ``2.5``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _check_writable(row: ClipLabelRow) -> None:
    """Refuse rows that would not read back as themselves."""
    if not row.video.strip() or row.video != row.video.strip():
        raise ValueError(f"video name must be non-empty without surrounding spaces: {row!r}")
    if not (math.isfinite(row.start) and math.isfinite(row.end) and 0 <= row.start < row.end):
        raise ValueError(f"clip times must satisfy 0 <= start < end: {row!r}")
    if len(set(row.labels)) != len(row.labels):
        raise ValueError(f"labels are repeated: {row!r}")
    for label in row.labels:
        if not label.strip() or label != label.strip() or LABEL_SEPARATOR in label:
            raise ValueError(f"label {label!r} cannot be written (empty, padded or containing ';')")


def write_clip_labels_csv(rows: Iterable[ClipLabelRow], path: PathLike) -> None:
    """Write rows with a header; raises ``ValueError`` for a row that would not read back unchanged."""
    records: list[list[str]] = []
    seen: set[tuple[str, float, float]] = set()
    for row in rows:
        _check_writable(row)
        key = (row.video, float(row.start), float(row.end))
        if key in seen:
            raise ValueError(f"clip {row.video} {row.start}-{row.end} appears twice")
        seen.add(key)
        labels = LABEL_SEPARATOR.join(row.labels)
        records.append([row.video, _format_seconds(row.start), _format_seconds(row.end), labels])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(records)
