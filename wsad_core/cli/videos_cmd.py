"""`wsad videos …`: find and relink moved files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wsad_core.cli.common import DEFAULT_PROJECT, ProjectOption, open_project, say

app = typer.Typer(help="Look after the project's video files.", no_args_is_help=True)


@app.command("missing")
def missing(project_dir: ProjectOption = DEFAULT_PROJECT) -> None:
    """List videos whose file is no longer where the project saw it."""
    with open_project(project_dir) as project:
        gone = project.missing_videos()
    for video in gone:
        say(f"{video.id}\t{video.name}\t{video.path}")
    say(f"{len(gone)} missing file(s)")


@app.command("relink")
def relink(
    video: Annotated[str, typer.Argument(help="Video name, id or old path.")],
    new_path: Annotated[Path, typer.Argument(help="Where the file is now.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
) -> None:
    """Point a moved video at its new path (the content must be the same)."""
    with open_project(project_dir) as project:
        record = project.relink_video(video, new_path)
    say(f"{record.name} -> {record.path}")
