"""Errors that reach users.

Every error the CLI or the studio shows as a one-line message derives from
:class:`WsadError`. Anything else is a bug and is shown with its traceback.
"""

from __future__ import annotations

from pathlib import Path


class WsadError(Exception):
    """An error caused by the user's input or environment, with a readable message."""


class FormatError(WsadError):
    """A file a user exchanges (CSV, pbtxt, pickle) is malformed.

    The message names the file and, where known, the 1-based row and the field,
    so the user can open the file at the right place.
    """

    def __init__(
        self,
        path: str | Path | None,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.row = row
        self.field = field
        self.reason = message
        where = [self.path or "<input>"]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")


class VideoError(WsadError):
    """A video file cannot be used (missing, not a video, truncated, no frames, bad codec)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ProjectError(WsadError):
    """A project cannot be opened or changed as asked."""
