"""Field-level parsing shared by the text formats.

Every helper raises :class:`FormatError` naming the file, row and field, so the
format modules only describe *which* field they expect, not how to complain.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path

from wsad_core.errors import FormatError

PathLike = str | Path


def parse_float(text: str, path: PathLike | None, row: int, field: str) -> float:
    """Parse a finite decimal number (leading zeros allowed, as in AVA's ``0902``)."""
    # float() also accepts "nan", "inf" and "1_000"; none of them is a coordinate or a time.
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if "_" in text or not math.isfinite(value):
        raise FormatError(path, f"expected a number, got {text!r}", row=row, field=field)
    return value


def parse_int(text: str, path: PathLike | None, row: int, field: str) -> int:
    """Parse a decimal integer; ``"3.0"`` is refused because ids are never written that way."""
    stripped = text.strip()
    digits = stripped[1:] if stripped[:1] in "+-" else stripped
    if not digits.isascii() or not digits.isdigit():
        raise FormatError(path, f"expected an integer, got {text!r}", row=row, field=field)
    return int(stripped)


def iter_csv_records(path: PathLike) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` for each non-blank CSV record of ``path``.

    The line number is the 1-based line on which the record starts, which is what
    a user sees in an editor even when a quoted field spans several lines.
    """
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise FormatError(path, f"cannot read file: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle)
        start = 1
        try:
            for record in reader:
                blank = len(record) <= 1 and not "".join(record).strip()
                if not blank:
                    yield start, record
                start = reader.line_num + 1
        except csv.Error as exc:
            raise FormatError(path, f"malformed CSV: {exc}", row=start) from exc
        except UnicodeDecodeError as exc:
            raise FormatError(path, "file is not UTF-8 text") from exc


def read_text(path: PathLike) -> str:
    """Read a whole UTF-8 text file (a leading BOM is dropped), raising :class:`FormatError`."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise FormatError(path, "file is not UTF-8 text") from exc
    except OSError as exc:
        raise FormatError(path, f"cannot read file: {exc.strerror or exc}") from exc
