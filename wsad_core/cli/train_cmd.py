"""`wsad train` and `wsad runs`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer
from rich.table import Table

from wsad_core.cli.common import DEFAULT_PROJECT, ProjectOption, console, open_project, progress_bar, say
from wsad_core.project.run_liveness import settle_orphaned_runs


def train(
    overrides: Annotated[
        Optional[list[str]],
        typer.Argument(help="Config overrides, key=value: model=cpu-small mode=naive aggregation=mean loss=bce "
                            "epochs=20 optim.lr=0.05 data.tubelets_per_bag=4 …"),
    ] = None,
    project_dir: ProjectOption = DEFAULT_PROJECT,
    name: Annotated[Optional[str], typer.Option("--name", help="Run name.")] = None,
    resume: Annotated[Optional[str], typer.Option("--resume", help="Continue this run from its last checkpoint.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No JSON events on stdout (still in events.jsonl).")] = False,
) -> None:
    """Train a detector on the project's labelled clips; JSON-lines events on stdout.

    SIGINT/SIGTERM stop gracefully after a checkpoint; `--resume RUN` continues exactly.
    """
    from wsad_core.train import make_config
    from wsad_core.train import train as run_training

    if resume and overrides:
        raise typer.BadParameter("a resumed run keeps its config; drop the overrides")
    with open_project(project_dir) as project, progress_bar("training") as (bar, task):
        def show(event: dict) -> None:
            if event["event"] == "start":
                bar.update(task, total=event["steps"], completed=event["resumed_at"])
            elif event["event"] == "step":
                bar.update(task, completed=event["step"], item=f"loss {event['loss']:.4f}")

        config = None if resume else make_config(overrides or [])
        record = run_training(
            project, config, name=name, resume=resume, stdout=None if quiet else sys.stdout, listener=show
        )
    print(f"run {record.id} ({record.name}): {record.status} after {record.metrics.get('steps')} steps",
          file=sys.stderr)


def runs(project_dir: ProjectOption = DEFAULT_PROJECT) -> None:
    """List the project's runs."""
    with open_project(project_dir) as project:
        settle_orphaned_runs(project)
        records = project.runs()
    table = Table("id", "name", "status", "model", "mode", "steps", "error")
    for run in records:
        table.add_row(str(run.id), run.name, run.status, str(run.config.get("model", "")),
                      str(run.config.get("mode", "")), str(run.metrics.get("steps", "")), run.error or "")
    console.print(table)
    if not records:
        say("no runs yet: `wsad train`")
