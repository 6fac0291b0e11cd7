"""One call for `wsad bench reproduce` and `benchmarks/reproduce.py`: run a plan, then report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from wsad_core.reproduce.plan import Plan
from wsad_core.reproduce.report import closing_lines, write_report
from wsad_core.reproduce.runner import Log, run_plan
from wsad_core.reproduce.store import ResultStore


def results_path(out: Path, plan: Plan) -> Path:
    """Each plan keeps its own results file, so a quick run never mixes into the default one,
    nor a pretrained table into one from a random backbone."""
    return out / f"results-{plan.label}.json"


def reproduce(
    plan: Plan, out: Path, *, json_path: Path | None = None, log: Log = print, parallel: int = 1
) -> dict[str, Any]:
    """Run (or resume) ``plan`` under ``out``, ``parallel`` runs at a time, and write the
    report; returns OUT.json's content."""
    out = Path(out).resolve()
    started = time.perf_counter()
    store = ResultStore(results_path(out, plan), plan.to_dict())
    run_plan(plan, out, store, log, parallel)
    document = write_report({"plan": store.plan, "entries": store.entries}, out / f"report-{plan.label}", json_path)
    minutes = (time.perf_counter() - started) / 60
    log(f"report in {out / f'report-{plan.label}'} ({minutes:.1f} min this invocation)")
    for line in closing_lines(document):
        log(line)
    return document
