"""Training runs in the project database; their files live in ``runs/<id>/``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wsad_core.errors import ProjectError
from wsad_core.project.schema import Run, utc_now

RUN_STATUSES = ("queued", "running", "stopped", "failed", "done")


@dataclass(frozen=True)
class RunRecord:
    id: int
    name: str
    kind: str
    status: str
    config: dict[str, Any]
    metrics: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def to_record(run: Run) -> RunRecord:
    return RunRecord(
        run.id, run.name, run.kind, run.status, json.loads(run.config or "{}"),
        json.loads(run.metrics or "{}"), run.error, run.created_at, run.started_at, run.finished_at,
    )


def get_run(session: Session, key: int | str) -> Run:
    run = session.get(Run, int(key)) if str(key).isdigit() else None
    if run is None:
        run = session.scalar(select(Run).where(Run.name == str(key)).order_by(Run.id.desc()))
    if run is None:
        raise ProjectError(f"no run {key!r} in the project (see `wsad runs`)")
    return run


def create_run(session: Session, name: str, config: dict[str, Any], kind: str = "train") -> Run:
    run = Run(name=name, kind=kind, status="queued", config=json.dumps(config, default=str))
    session.add(run)
    session.flush()
    return run


def update_run(
    session: Session,
    key: int | str,
    *,
    status: str | None = None,
    metrics: dict[str, Any] | None = None,
    error: str | None = None,
) -> Run:
    """Move a run along queued → running → stopped/failed/done, merging in metrics."""
    run = get_run(session, key)
    if status is not None:
        if status not in RUN_STATUSES:
            raise ProjectError(f"unknown run status {status!r}")
        run.status = status
        if status == "running":
            run.started_at = run.started_at or utc_now()
            run.finished_at = None
            run.error = None
        elif status in ("stopped", "failed", "done"):
            run.finished_at = utc_now()
    if metrics is not None:
        run.metrics = json.dumps({**json.loads(run.metrics or "{}"), **metrics}, default=str)
    if error is not None:
        run.error = error
    session.flush()
    return run
