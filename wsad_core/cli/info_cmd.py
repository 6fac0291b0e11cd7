"""`wsad init` and `wsad info`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from wsad_core.cli.common import DEFAULT_PROJECT, ProjectOption, console, open_project, say
from wsad_core.formats import read_vocabulary
from wsad_core.project import Project
from wsad_core.project.labels import label_map_entries


def init(
    folder: Annotated[Path, typer.Argument(help="Folder of the new project (created if needed).")],
    label_map: Annotated[
        Optional[str],
        typer.Option(
            "--label-map",
            help="Start the vocabulary from a label map: ava-v2.2, ava-v2.2-eval, ucf101-24, or a pbtxt file.",
        ),
    ] = None,
    vocabulary: Annotated[
        Optional[Path],
        typer.Option("--vocabulary", help="Start the vocabulary from a text file, one label per line."),
    ] = None,
) -> None:
    """Create a project: project.db, cache/, runs/, exports/."""
    names = read_vocabulary(vocabulary) if vocabulary is not None else None
    if label_map is not None:
        label_map_entries(label_map)  # a bad label map fails before the folder is touched
    with Project.create(folder) as project:
        if label_map is not None:
            project.add_label_map(label_map)
        if names:
            project.add_labels(names)
        say(f"created project {project.root} ({len(project.labels())} labels)")


def info(
    project_dir: ProjectOption = DEFAULT_PROJECT,
    videos: Annotated[bool, typer.Option("--videos", help="List the videos.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Summarise a project: labels, videos by status, clips, ground truth, runs."""
    with open_project(project_dir) as project:
        summary = project.summary()
        video_rows = project.videos() if videos else []
    if as_json:
        if videos:
            summary["video_list"] = [row.__dict__ for row in video_rows]
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    say(f"[bold]{summary['root']}[/bold]")
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(summary["videos_by_status"].items()))
    say(f"  videos           {summary['videos']}" + (f" ({statuses})" if statuses else ""))
    say(f"  labels           {summary['labels']}")
    say(f"  clips            {summary['clips']} ({summary['labelled_clips']} labelled)")
    say(f"  ground truth     {summary['gt_boxes']} boxes on {summary['annotated_frames']} frames")
    say(f"  runs             {summary['runs']}")
    if videos:
        table = Table("id", "name", "status", "duration", "fps", "size", "path / error")
        for v in video_rows:
            table.add_row(
                str(v.id),
                v.name,
                v.status,
                f"{v.duration:.1f} s" if v.duration else "",
                f"{v.fps:.2f}" if v.fps else "",
                f"{v.width}×{v.height}" if v.width else "",
                v.error if v.status == "error" else (v.path or ""),
            )
        console.print(table)
