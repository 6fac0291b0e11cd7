"""Options, output and progress shared by the `wsad` commands."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from wsad_core.project import Project

console = Console()
err_console = Console(stderr=True)

ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        envvar="WSAD_PROJECT",
        help="Project folder (default: the current folder, or $WSAD_PROJECT).",
        show_default=False,
    ),
]
DEFAULT_PROJECT = Path(".")
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]


def open_project(path: Path) -> Project:
    return Project.open(path)


class RateColumn(ProgressColumn):
    """Items per second (frames/s when detecting, steps/s when training)."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[tuple[Progress, int]]:
    """A progress bar on stderr (quiet when stderr is not a terminal, e.g. in the studio)."""
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[item]}"),
        console=err_console,
        disable=not err_console.is_terminal and not os.environ.get("WSAD_FORCE_PROGRESS"),
        transient=False,
    )
    with progress:
        task = progress.add_task(description, total=total, item="")
        yield progress, task


def emit_event(event: str, **fields: object) -> None:
    """One JSON object per line on stdout, flushed at once, so that a parent process (the studio)
    reads progress as it happens (the `--events` option of long commands)."""
    sys.stdout.write(json.dumps({"event": event, **fields}, default=str) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    console.print(message, highlight=False, soft_wrap=True)
