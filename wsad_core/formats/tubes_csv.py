"""Action tubes as CSV: one row per tube per frame, with a header.

``video_id,tube_id,label,label_id,tube_score,frame,time_s,x1,y1,x2,y2,score,uncertainty``

- ``tube_id`` numbers a video's tubes (unique within the video); a tube is all rows with
  the same ``(video_id, tube_id)``, in any order.
- ``label`` is the class name and ``label_id`` its 0-based index in the label space the
  tubes were predicted in; either may be empty, not both. ``tube_score`` is the tube's
  score; the three repeat on each of the tube's rows and must agree.
- ``frame`` is the 0-based index of the decoded frame, ``time_s`` its time in seconds;
  ``x1 y1 x2 y2`` are pixels of the source video; ``score`` and ``uncertainty`` (σ², may
  be empty) are the frame's class score and uncertainty.

Numbers are written with Python's shortest round-trip representation, so a file read back
gives the exact values written.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import not_
from typing import TYPE_CHECKING

import numpy as np

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike, iter_csv_records, parse_float, parse_int, read_text

if TYPE_CHECKING:  # importing wsad_core.tubes would load torch for a file format
    from wsad_core.tubes.action_tubes import ActionTube

HEADER = (
    "video_id", "tube_id", "label", "label_id", "tube_score", "frame", "time_s",
    "x1", "y1", "x2", "y2", "score", "uncertainty",
)
_COLUMN = {name: i for i, name in enumerate(HEADER)}


@dataclass(eq=False)
class CsvTube:
    """One tube read from a tubes CSV, frames ascending.

    ``label`` is ``""`` and ``label_id`` ``None`` where the file leaves them empty;
    ``uncertainty`` is NaN on frames without one.
    """

    video_id: str
    tube_id: int
    label: str
    label_id: int | None
    score: float
    frames: np.ndarray  # (T,) int64
    times: np.ndarray  # (T,) seconds
    boxes: np.ndarray  # (T, 4) pixels x1 y1 x2 y2
    frame_scores: np.ndarray  # (T,)
    uncertainty: np.ndarray  # (T,)


def _quoted(text: str) -> str:
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _texts(values: np.ndarray) -> Iterator[str]:
    """Shortest round-trip text of each value (``repr`` of Python floats)."""
    return map(repr, np.asarray(values, dtype=np.float64).reshape(-1).tolist())


def write_tubes_csv(
    tubes: Sequence[ActionTube],
    path: PathLike,
    *,
    label_names: Sequence[str],
    fps: float | Mapping[str, float],
) -> int:
    """Write ``tubes`` (any videos) with a header; returns the number of rows written.

    ``label_names[tube.label_index]`` is each tube's label; ``fps`` (one rate, or one per
    video) gives ``time_s = frame / fps``. Tubes are numbered 0, 1, … per video in the
    order given. Raises ``ValueError`` (and writes nothing) for a label index outside
    ``label_names``, a missing or non-positive frame rate, or an empty video id or one
    with surrounding spaces (which reading would strip).
    """
    lines = [",".join(HEADER)]
    next_id: dict[str, int] = {}
    for tube in tubes:
        if not tube.video or tube.video != tube.video.strip():
            raise ValueError(f"invalid video id {tube.video!r}")
        if not 0 <= tube.label_index < len(label_names):
            raise ValueError(f"label index {tube.label_index} is outside the {len(label_names)} label names")
        rate = fps.get(tube.video) if isinstance(fps, Mapping) else fps
        if rate is None or not 0 < float(rate) < math.inf:
            raise ValueError(f"no valid frame rate for video {tube.video!r}")
        tube_id = next_id.get(tube.video, 0)
        next_id[tube.video] = tube_id + 1
        label = label_names[tube.label_index]
        head = f"{_quoted(tube.video)},{tube_id},{_quoted(label)},{tube.label_index},{float(tube.score)!r},"
        frames = np.asarray(tube.frames, dtype=np.int64).reshape(-1)
        boxes = np.asarray(tube.boxes, dtype=np.float64).reshape(-1, 4)
        uncertainty = tube.frame_uncertainty
        columns = [
            map(str, frames.tolist()),
            _texts(frames / float(rate)),
            *(_texts(boxes[:, i]) for i in range(4)),
            _texts(tube.frame_scores),
            repeat("", frames.size) if uncertainty is None else _texts(uncertainty),
        ]
        lines.extend(head + ",".join(fields) for fields in zip(*columns))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(lines) + "\n")
    return len(lines) - 1


class _Table:
    """The records of a tubes CSV (header first), with the file's line numbers on demand."""

    def __init__(self, path: PathLike) -> None:
        self.path = path
        text = read_text(path)
        try:
            reader = csv.reader(io.StringIO(text, newline=""))
            self.records = [r for r in reader if len(r) > 1 or (r and r[0].strip())]
        except csv.Error:
            list(iter_csv_records(path))  # raises the FormatError naming the line
            raise
        self._lines: list[int] | None = None

    def line(self, index: int) -> int:
        """The 1-based line of record ``index`` (as an editor shows it)."""
        if self._lines is None:
            self._lines = [line for line, _ in iter_csv_records(self.path)]
        return self._lines[index]

    def fail(self, index: int, message: str, field: str | None = None) -> FormatError:
        return FormatError(self.path, message, row=self.line(index), field=field)


def _floats(table: _Table, column: list[str], name: str, *, allow_empty: bool = False) -> np.ndarray:
    """A column as float64; empty fields NaN when allowed. Errors name the first bad row."""
    try:
        if "_" in "".join(column):
            raise ValueError
        if allow_empty:
            stripped = list(map(str.strip, column))
            values = np.array([v or "nan" for v in stripped], dtype=np.float64)
            bad = ~np.isfinite(values) & ~np.fromiter(map(not_, stripped), bool, len(stripped))
        else:
            values = np.array(column, dtype=np.float64)
            bad = ~np.isfinite(values)
        if not bad.any():
            return values
    except ValueError:
        pass
    for k, text in enumerate(column):
        if not (allow_empty and not text.strip()):
            parse_float(text, table.path, table.line(k + 1), name)
    raise AssertionError("unreachable: a bad value was found above")


def _ints(table: _Table, column: list[str], name: str, *, allow_empty: bool = False) -> np.ndarray:
    """A column as int64; empty fields -1 when allowed."""
    try:
        if "_" in "".join(column) or "." in "".join(column):
            raise ValueError
        if allow_empty:
            return np.fromiter((int(v) if v.strip() else -1 for v in column), np.int64, len(column))
        return np.fromiter(map(int, column), np.int64, len(column))
    except (ValueError, OverflowError):
        pass
    for k, text in enumerate(column):
        if not (allow_empty and not text.strip()):
            parse_int(text, table.path, table.line(k + 1), name)
    raise AssertionError("unreachable: a bad value was found above")


def _first_true(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's index among the distinct values (in order of first appearance)."""
    distinct = list(dict.fromkeys(values))
    index = {v: i for i, v in enumerate(distinct)}
    return np.fromiter(map(index.__getitem__, values), np.int64, len(values)), distinct


def _dense_index(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """0, 1, … numbering the distinct ``(major, minor)`` pairs in lexicographic order."""
    low, high = int(minor.min()), int(minor.max())
    if (int(major.max()) + 1) * (high - low + 1) < 2**62:
        key = major * (high - low + 1) + (minor - low)
        return np.unique(key, return_inverse=True)[1].reshape(-1)
    return np.unique(np.stack([major, minor], axis=1), axis=0, return_inverse=True)[1].reshape(-1)


def read_tubes_csv(path: PathLike) -> list[CsvTube]:
    """Read and validate a tubes CSV; tubes come out by video id, then tube id, whatever
    the order of the rows.

    Raises :class:`FormatError` naming the line and field of the first problem: a wrong
    header or column count, a value that is not a (finite) number, negative frames,
    times, label ids or uncertainties, ``x1 > x2`` or ``y1 > y2``, a row with neither label
    nor label id, rows of one tube disagreeing on label, label id or tube score, or two
    rows of one tube on the same frame.
    """
    table = _Table(path)
    if not table.records:
        raise FormatError(path, "empty file: expected the header " + ",".join(HEADER))
    if tuple(f.strip() for f in table.records[0]) != HEADER:
        raise table.fail(0, "expected the header " + ",".join(HEADER))
    widths = np.fromiter(map(len, table.records), np.int64, len(table.records))
    if (widths != len(HEADER)).any():
        k = _first_true(widths != len(HEADER))
        raise table.fail(k, f"expected {len(HEADER)} columns, got {widths[k]}")
    body = table.records[1:]
    if not body:
        return []
    flat = list(chain.from_iterable(body))
    columns = [flat[i :: len(HEADER)] for i in range(len(HEADER))]

    videos = list(map(str.strip, columns[_COLUMN["video_id"]]))
    if "" in videos:
        raise table.fail(videos.index("") + 1, "video_id is empty", "video_id")
    tube_ids = _ints(table, columns[_COLUMN["tube_id"]], "tube_id")
    labels = list(map(str.strip, columns[_COLUMN["label"]]))
    label_ids = _ints(table, columns[_COLUMN["label_id"]], "label_id", allow_empty=True)
    empty_ids = np.fromiter(map(not_, map(str.strip, columns[_COLUMN["label_id"]])), bool, len(body))
    negative = (label_ids < 0) & ~empty_ids
    if negative.any():
        raise table.fail(_first_true(negative) + 1, "label_id must not be negative", "label_id")
    unlabelled = empty_ids & np.fromiter(map(not_, labels), bool, len(labels))
    if unlabelled.any():
        raise table.fail(_first_true(unlabelled) + 1, "a tube needs a label or a label_id", "label")
    tube_scores = _floats(table, columns[_COLUMN["tube_score"]], "tube_score")
    frames = _ints(table, columns[_COLUMN["frame"]], "frame")
    times = _floats(table, columns[_COLUMN["time_s"]], "time_s")
    boxes = np.stack([_floats(table, columns[_COLUMN[n]], n) for n in ("x1", "y1", "x2", "y2")], axis=1)
    scores = _floats(table, columns[_COLUMN["score"]], "score")
    uncertainty = _floats(table, columns[_COLUMN["uncertainty"]], "uncertainty", allow_empty=True)
    for name, values in (("frame", frames), ("time_s", times), ("uncertainty", uncertainty)):
        if (values < 0).any():
            raise table.fail(_first_true(values < 0) + 1, f"{name} must not be negative", name)
    for axis, name in ((0, "x2"), (1, "y2")):
        inverted = boxes[:, axis] > boxes[:, axis + 2]
        if inverted.any():
            low = "x1" if axis == 0 else "y1"
            raise table.fail(_first_true(inverted) + 1, f"{low} is greater than {name}", name)

    video_codes, names = _codes(videos)
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    tube_index = _dense_index(rank[video_codes], tube_ids)
    label_codes, _ = _codes(labels)
    order = np.argsort(_dense_index(tube_index, frames), kind="stable")
    sorted_tubes = tube_index[order]
    starts = np.flatnonzero(np.r_[True, sorted_tubes[1:] != sorted_tubes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    first_row = np.repeat(np.minimum.reduceat(order, starts), sizes)
    for name, values in (("label", label_codes), ("label_id", label_ids), ("tube_score", tube_scores)):
        differs = values[order] != values[first_row]
        if differs.any():
            row = int(order[differs].min())
            raise table.fail(row + 1, f"{name} differs from the tube's first row", name)
    repeated = (sorted_tubes[1:] == sorted_tubes[:-1]) & (frames[order][1:] == frames[order][:-1])
    if repeated.any():
        row = int(order[_first_true(repeated) + 1])
        raise table.fail(row + 1, "the tube already has a row for this frame", "frame")

    tubes = []
    for rows in np.split(order, starts[1:]):
        head = int(rows[0])
        tubes.append(
            CsvTube(
                video_id=videos[head],
                tube_id=int(tube_ids[head]),
                label=labels[head],
                label_id=None if empty_ids[head] else int(label_ids[head]),
                score=float(tube_scores[head]),
                frames=frames[rows],
                times=times[rows],
                boxes=boxes[rows],
                frame_scores=scores[rows],
                uncertainty=uncertainty[rows],
            )
        )
    return tubes
