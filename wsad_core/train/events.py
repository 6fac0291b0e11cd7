"""Progress events: one JSON object per line, on stdout and in ``runs/<id>/events.jsonl``.

The studio reads them from the child's stdout; a run started from a terminal or a cluster
shows up in the studio through the file.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any, TextIO


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


class EventLog:
    def __init__(
        self,
        path: Path | None,
        *,
        stdout: TextIO | None = sys.stdout,
        enabled: bool = True,
        listener: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.enabled = enabled
        self.stdout = stdout
        self.listener = listener
        self._file = path.open("a", encoding="utf-8") if (path is not None and enabled) else None

    def emit(self, event: str, **fields: Any) -> dict[str, Any]:
        record = {"event": event, "time": round(time.time(), 3), **{k: _clean(v) for k, v in fields.items()}}
        if not self.enabled:
            return record
        line = json.dumps(record, default=str)
        if self._file is not None:
            self._file.write(line + "\n")
            self._file.flush()
        if self.stdout is not None:
            self.stdout.write(line + "\n")
            self.stdout.flush()
        if self.listener is not None:
            self.listener(record)
        return record

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_events(path: Path) -> list[dict[str, Any]]:
    """Events of a run so far (a line being written is skipped)."""
    events = []
    if not path.exists():
        return events
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events
