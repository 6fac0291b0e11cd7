"""`wsad labels …`: the label vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from wsad_core.cli.common import DEFAULT_PROJECT, ProjectOption, console, open_project, say
from wsad_core.formats import read_vocabulary

app = typer.Typer(help="Manage the label vocabulary.", no_args_is_help=True)


@app.command("list")
def list_labels(project_dir: ProjectOption = DEFAULT_PROJECT) -> None:
    """List labels with their ids, colours and shortcut keys."""
    with open_project(project_dir) as project:
        labels = project.labels()
    table = Table("id", "name", "key", "colour")
    for label in labels:
        table.add_row(str(label.external_id), label.name, label.shortcut or "", label.color or "")
    console.print(table)


@app.command("add")
def add(
    names: Annotated[Optional[list[str]], typer.Argument(help="Label names.")] = None,
    project_dir: ProjectOption = DEFAULT_PROJECT,
    from_file: Annotated[
        Optional[Path], typer.Option("--from-file", help="Text file, one label per line.")
    ] = None,
    label_map: Annotated[
        Optional[str],
        typer.Option("--label-map", help="ava-v2.2, ava-v2.2-eval, ucf101-24, or a pbtxt file."),
    ] = None,
) -> None:
    """Add labels by name, from a text file, or from a label map (all in one transaction)."""
    names = list(names or [])
    if from_file is not None:
        names += read_vocabulary(from_file)
    if not names and label_map is None:
        raise typer.BadParameter("give label names, --from-file or --label-map")
    with open_project(project_dir) as project:
        added = project.add_label_map(label_map) if label_map is not None else []
        if names:
            added += project.add_labels(names)
    say(f"added {len(added)} label(s)")


@app.command("set")
def set_label(
    name: Annotated[str, typer.Argument(help="Label to change.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    rename: Annotated[Optional[str], typer.Option("--rename", help="New name.")] = None,
    color: Annotated[Optional[str], typer.Option("--color", help="Colour, e.g. #ff8800.")] = None,
    key: Annotated[Optional[str], typer.Option("--key", help="Shortcut key (one letter or digit).")] = None,
) -> None:
    """Rename a label or change its colour or shortcut key."""
    with open_project(project_dir) as project:
        label = project.update_label(name, new_name=rename, color=color, shortcut=key)
    say(f"{label.name}: id {label.external_id}, key {label.shortcut}, colour {label.color}")


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="Label to remove (refused while in use).")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
) -> None:
    """Remove a label that no clip and no ground truth uses."""
    with open_project(project_dir) as project:
        project.remove_label(name)
    say(f"removed {name}")
