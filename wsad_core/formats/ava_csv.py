"""AVA CSV files: ground truth, detections and person boxes.

Rows are ``video_id,timestamp,x1,y1,x2,y2,action_id[,person_id|score]`` with
coordinates normalised to [0, 1], no header, one row per (box, action). A
two-column row ``video_id,timestamp`` marks an annotated keyframe without boxes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike, iter_csv_records, parse_float, parse_int

AvaKind = Literal["gt", "detections", "boxes"]
Box = tuple[float, float, float, float]

_COORD_FIELDS = ("x1", "y1", "x2", "y2")
# Official files round coordinates to 3 decimals, which can push them a hair outside [0, 1].
_COORD_TOLERANCE = 1e-6


@dataclass(frozen=True)
class AvaRow:
    """One AVA CSV row; ``box`` and ``action_id`` are ``None`` on keyframe-only rows."""

    video_id: str
    timestamp: float
    box: Box | None
    action_id: int | None
    person_id: int | None = None
    score: float | None = None
    # 1-based line in the source file (0 when not read from a file), for error messages.
    row: int = field(default=0, compare=False)


def _parse_box(fields: list[str], path: PathLike, row: int) -> Box:
    coords = []
    for name, text in zip(_COORD_FIELDS, fields[2:6]):
        value = parse_float(text, path, row, name)
        if not -_COORD_TOLERANCE <= value <= 1.0 + _COORD_TOLERANCE:
            raise FormatError(path, f"coordinate {text!r} is outside [0, 1]", row=row, field=name)
        coords.append(min(max(value, 0.0), 1.0))
    x1, y1, x2, y2 = coords
    if x1 > x2:
        raise FormatError(path, f"x1 ({x1}) is greater than x2 ({x2})", row=row, field="x2")
    if y1 > y2:
        raise FormatError(path, f"y1 ({y1}) is greater than y2 ({y2})", row=row, field="y2")
    return x1, y1, x2, y2


def _parse_action(text: str, kind: AvaKind, path: PathLike, row: int) -> int | None:
    if kind == "boxes":
        # Person-box files leave the action empty or write a placeholder such as -1.
        if not text.strip():
            return None
        action = parse_int(text, path, row, "action_id")
        return None if action == -1 else action
    action = parse_int(text, path, row, "action_id")
    if action < 1:
        raise FormatError(
            path, f"action_id must be a positive integer, got {text!r}", row=row, field="action_id"
        )
    return action


def _parse_row(fields: list[str], kind: AvaKind, path: PathLike, row: int) -> AvaRow:
    allowed = (2, 7, 8) if kind != "detections" else (2, 8)
    if len(fields) not in allowed:
        expected = " or ".join(str(n) for n in allowed)
        raise FormatError(path, f"expected {expected} columns, got {len(fields)}", row=row)
    video_id = fields[0].strip()
    if not video_id:
        raise FormatError(path, "video_id is empty", row=row, field="video_id")
    timestamp = parse_float(fields[1], path, row, "timestamp")
    if timestamp < 0:
        raise FormatError(
            path, f"timestamp must not be negative, got {fields[1]!r}", row=row, field="timestamp"
        )
    if len(fields) == 2:
        return AvaRow(video_id, timestamp, None, None, row=row)
    box = _parse_box(fields, path, row)
    action = _parse_action(fields[6], kind, path, row)
    if len(fields) == 7:
        return AvaRow(video_id, timestamp, box, action, row=row)
    if kind == "gt":
        person_id = parse_int(fields[7], path, row, "person_id")
        return AvaRow(video_id, timestamp, box, action, person_id=person_id, row=row)
    score = parse_float(fields[7], path, row, "score")
    return AvaRow(video_id, timestamp, box, action, score=score, row=row)


def _parse_common_row(fields: list[str], kind: AvaKind, row: int) -> AvaRow | None:
    """Fast path for well-formed 7/8-column rows, which are nearly all rows of real files.

    Returns ``None`` for anything unusual; :func:`_parse_row` then accepts it or
    explains the error, so the two together accept exactly what ``_parse_row`` does.
    """
    joined = "".join(fields[1:])
    if len(fields) not in (7, 8) or "_" in joined or not joined.isascii():
        return None
    video_id = fields[0].strip()
    try:
        timestamp = float(fields[1])
        x1, y1, x2, y2 = float(fields[2]), float(fields[3]), float(fields[4]), float(fields[5])
        action: int | None = int(fields[6])
        extra = fields[7] if len(fields) == 8 else None
        person_id = int(extra) if extra is not None and kind == "gt" else None
        score = float(extra) if extra is not None and kind != "gt" else None
    except ValueError:
        return None
    # Chained comparisons are False for NaN, so these also reject non-finite values.
    if not (video_id and 0.0 <= timestamp < math.inf and 0.0 <= x1 <= x2 <= 1.0 and 0.0 <= y1 <= y2 <= 1.0):
        return None
    if score is not None and not -math.inf < score < math.inf:
        return None
    if kind == "boxes":
        action = None if action == -1 else action
    elif action < 1 or (kind == "detections" and score is None):  # type: ignore[operator]
        return None
    return AvaRow(video_id, timestamp, (x1, y1, x2, y2), action, person_id, score, row)


def read_ava_csv(path: PathLike, *, kind: AvaKind = "gt") -> list[AvaRow]:
    """Read an AVA CSV file, validating every row.

    ``kind`` says what the optional eighth column holds: ``"gt"`` a person id
    (optional), ``"detections"`` a score (required), ``"boxes"`` a score (optional)
    for person-box files whose action column is empty or ``-1`` (read as ``None``).
    Timestamps keep AVA's leading zeros out of the way (``0902`` reads as 902.0).
    A first line starting with ``video_id`` is taken as a header and skipped;
    blank lines are ignored. Coordinates within 1e-6 of [0, 1] are clamped into it.
    """
    if kind not in ("gt", "detections", "boxes"):
        raise ValueError(f"kind must be 'gt', 'detections' or 'boxes', got {kind!r}")
    rows: list[AvaRow] = []
    for index, (row, fields) in enumerate(iter_csv_records(path)):
        if index == 0 and fields[0].strip().startswith("video_id"):
            continue
        rows.append(_parse_common_row(fields, kind, row) or _parse_row(fields, kind, path, row))
    return rows


def _format_timestamp(timestamp: float) -> str:
    if timestamp.is_integer():
        return "%04d" % timestamp
    text = f"{timestamp:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _csv_field(text: str) -> str:
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _format_row(row: AvaRow) -> str:
    video_id, timestamp, box = row.video_id, float(row.timestamp), row.box
    if not video_id or video_id != video_id.strip() or not 0.0 <= timestamp < math.inf:
        raise ValueError(f"invalid video_id or timestamp in {row!r}")
    head = f"{_csv_field(video_id)},{_format_timestamp(timestamp)}"
    if box is None:
        if row.action_id is not None or row.person_id is not None or row.score is not None:
            raise ValueError(f"a row without a box carries nothing else: {row!r}")
        return head + "\n"
    x1, y1, x2, y2 = box
    if not (0.0 <= x1 <= x2 <= 1.0 and 0.0 <= y1 <= y2 <= 1.0):
        raise ValueError(f"box must be normalised x1<=x2, y1<=y2 in [0, 1]: {row!r}")
    action = "" if row.action_id is None else int(row.action_id)
    if row.person_id is None and row.score is None:
        tail = ""
    elif row.score is None:
        tail = f",{int(row.person_id)}"
    elif row.person_id is None:
        tail = f",{float(row.score)!r}"
    else:
        raise ValueError(f"AVA CSV has one column for person_id or score, not both: {row!r}")
    return "%s,%.3f,%.3f,%.3f,%.3f,%s%s\n" % (head, x1, y1, x2, y2, action, tail)


def write_ava_csv(rows: Iterable[AvaRow], path: PathLike) -> None:
    """Write rows in the official layout: no header, ``0902``-style timestamps, 3-decimal coordinates.

    Non-integral timestamps get up to 3 decimals; scores are written exactly.
    Raises ``ValueError`` for a row the format cannot hold (nothing is written then).
    """
    text = "".join([_format_row(row) for row in rows])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def ava_keyframe_groups(rows: Iterable[AvaRow]) -> dict[tuple[str, float], list[AvaRow]]:
    """Group rows by keyframe ``(video_id, timestamp)``, keeping file order within each group."""
    groups: dict[tuple[str, float], list[AvaRow]] = {}
    for row in rows:
        groups.setdefault((row.video_id, row.timestamp), []).append(row)
    return groups
