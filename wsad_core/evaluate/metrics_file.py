"""Reading and updating a run's ``metrics.json`` entries, without torch (the studio reads them).

Each split's entry is its latest evaluation, with every detection set's latest under
``by_detection_set``: scoring a run on test proposals keeps its score on the boxes it
trained on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BY_DETECTION_SET = "by_detection_set"


def stored_evaluation(metrics: Mapping[str, Any], split: str, detection_set: str | None = None) -> dict[str, Any] | None:
    """One split's evaluation from a run's ``metrics.json``: the latest, or with ``detection_set``
    the latest that scored those person boxes (None when there is none)."""
    entry = metrics.get(split)
    if not isinstance(entry, dict):
        return None
    if detection_set is None:
        return entry
    if entry.get(BY_DETECTION_SET) is None and entry.get("detection_set") == detection_set:
        return entry  # written before evaluations were kept per detection set
    return (entry.get(BY_DETECTION_SET) or {}).get(detection_set)


def with_history(previous: dict[str, Any] | None, summary: dict[str, Any]) -> dict[str, Any]:
    """``summary`` as a split's entry, keeping the other detection sets' evaluations."""
    previous = previous or {}
    history = dict(previous.get(BY_DETECTION_SET) or {})
    if not history and previous.get("detection_set"):
        history[previous["detection_set"]] = previous
    if summary["detection_set"]:
        history[summary["detection_set"]] = summary
    return {**summary, BY_DETECTION_SET: history}
