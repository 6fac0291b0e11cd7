"""The results file of a reproduction: one entry per finished (study, point, seed), written
as soon as it finishes, so an interrupted multi-hour benchmark resumes where it stopped."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from wsad_core.errors import WsadError

FORMAT = 1


def finite(value: float | None) -> float | None:
    """JSON has no NaN: undefined numbers (no ground truth, one seed's std) become null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def same_plan(stored: dict[str, Any] | None, plan: dict[str, Any]) -> bool:
    """Whether a results file's plan is ``plan``. A field the file does not have (added to
    plans since it was written) matches when ``plan`` leaves it unset (None), so results of
    an older version resume under the same settings."""
    if stored is None:
        return False
    wanted = json.loads(json.dumps(plan))
    return stored == {key: value for key, value in wanted.items() if key in stored or value is not None}


def extends_plan(stored: dict[str, Any] | None, plan: dict[str, Any]) -> bool:
    """Whether ``plan`` is the stored plan with more seeds after its own, more studies, or
    both. Its finished entries stay valid: each depends only on its own seed's world and run,
    and the sweeps, which run on the first seeds, keep them."""
    if stored is None:
        return False
    wanted = json.loads(json.dumps(plan))
    old_seeds, new_seeds = list(stored.get("seeds", [])), list(wanted.get("seeds", []))
    old_studies, new_studies = set(stored.get("studies", [])), set(wanted.get("studies", []))
    keeps_seeds = new_seeds[: len(old_seeds)] == old_seeds
    grows = len(new_seeds) > len(old_seeds) or new_studies > old_studies
    if not (keeps_seeds and new_studies >= old_studies and grows):
        return False
    return same_plan({**stored, "seeds": new_seeds, "studies": wanted.get("studies")}, plan)


class ResultStore:
    """``{"format": 1, "plan": {...}, "entries": {key: entry}}`` on disk, rewritten atomically
    after every entry. A file made under another plan is refused rather than mixed in, except
    one the plan extends with more seeds or studies (its entries are kept; the file takes
    the new plan)."""

    def __init__(self, path: Path, plan: dict[str, Any]) -> None:
        self.path = Path(path)
        self.plan = plan
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not (same_plan(data.get("plan"), plan) or extends_plan(data.get("plan"), plan)):
                raise WsadError(
                    f"{self.path} holds results of another plan; choose another --out or remove the file"
                )
            self.entries = data.get("entries", {})

    def done(self, key: str) -> bool:
        return key in self.entries

    def same_run(self, identity: str) -> dict[str, Any] | None:
        """A finished entry that trained exactly this run (another study's point, shared)."""
        return next((entry for entry in self.entries.values() if entry.get("identity") == identity), None)

    def record(self, key: str, entry: dict[str, Any]) -> None:
        self.entries[key] = entry
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.partial")
        temp.write_text(json.dumps({"format": FORMAT, "plan": self.plan, "entries": self.entries}, indent=1))
        os.replace(temp, self.path)


def load_results(path: Path) -> dict[str, Any]:
    """A results file as written by :class:`ResultStore`."""
    path = Path(path)
    if not path.is_file():
        raise WsadError(f"{path}: no results file")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise WsadError(f"{path}: not a results file of format {FORMAT}")
    return data
