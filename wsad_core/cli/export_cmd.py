"""`wsad export labels|ava-gt`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wsad_core.cli.common import DEFAULT_PROJECT, ForceOption, ProjectOption, open_project, say
from wsad_core.project import export_ava_ground_truth, export_clip_labels

app = typer.Typer(help="Write project data in exchange formats.", no_args_is_help=True)


@app.command("labels")
def labels(
    out: Annotated[Path, typer.Argument(help="CSV to write (video,start,end,labels).")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    force: ForceOption = False,
) -> None:
    """Export the labelled clips as a clip-label CSV."""
    with open_project(project_dir) as project:
        count = export_clip_labels(project, out, force=force)
    say(f"wrote {count} clip(s) to {out}")


@app.command("ava-gt")
def ava_gt(
    out: Annotated[Path, typer.Argument(help="AVA CSV to write.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    force: ForceOption = False,
) -> None:
    """Export the ground-truth boxes as an AVA CSV."""
    with open_project(project_dir) as project:
        count = export_ava_ground_truth(project, out, force=force)
    say(f"wrote {count} row(s) to {out}")
