"""The studio's recent-projects list, kept in QSettings: most recent first, without repeats."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8
_KEY = "project/recent"


def recent_projects(settings: QSettings) -> list[str]:
    """Project folders opened before, most recent first (as remembered: they may be gone)."""
    value = settings.value(_KEY) or []
    if isinstance(value, str):  # QSettings gives a one-item list back as a string on some backends
        value = [value]
    return [str(item) for item in value if item]


def remember_project(settings: QSettings, folder: str | Path) -> list[str]:
    """Put ``folder`` first in the list, keeping at most :data:`MAX_RECENT` entries."""
    path = str(Path(folder).resolve())
    items = [path, *(item for item in recent_projects(settings) if item != path)][:MAX_RECENT]
    settings.setValue(_KEY, items)
    return items


def forget_projects(settings: QSettings) -> None:
    settings.remove(_KEY)


def is_project(folder: str | Path) -> bool:
    return (Path(folder) / "project.db").is_file()
