"""`wsad import videos|ava|ucf24|labels`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from wsad_core.cli.common import (
    DEFAULT_PROJECT,
    ProjectOption,
    err_console,
    open_project,
    progress_bar,
    say,
)
from wsad_core.project import (
    GroundTruthReport,
    import_ava_ground_truth,
    import_clip_labels,
    import_ucf24_ground_truth,
)

app = typer.Typer(help="Bring videos, ground truth and labels into a project.", no_args_is_help=True)


@app.command("videos")
def videos(
    paths: Annotated[list[Path], typer.Argument(help="Video files and folders.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    recursive: Annotated[
        bool, typer.Option("--recursive/--no-recursive", help="Walk sub-folders.")
    ] = True,
) -> None:
    """Import videos (files, or folders by extension); unreadable files are kept as errors."""
    with open_project(project_dir) as project:
        with progress_bar("importing") as (bar, task):
            def update(done: int, total: int, path: Path) -> None:
                bar.update(task, completed=done, total=total, item=path.name)

            report = project.import_videos(paths, recursive=recursive, progress=update)
    say(
        f"{len(report.added)} added, {len(report.linked)} linked, "
        f"{len(report.duplicates)} duplicate(s) skipped, {len(report.errors)} error(s)"
    )
    for video in report.errors:
        say(f"  [red]error[/red] {video.path}: {video.error}")


@app.command("ava")
def ava(
    csv_file: Annotated[Path, typer.Argument(help="AVA ground-truth CSV.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    label_map: Annotated[
        Optional[str],
        typer.Option("--label-map", help="Label map to add first: ava-v2.2, ava-v2.2-eval, or a pbtxt file."),
    ] = None,
    skip_unknown: Annotated[
        bool,
        typer.Option("--skip-unknown-actions", help="Drop rows whose action is not in the vocabulary."),
    ] = False,
    split: Annotated[
        Optional[str], typer.Option("--split", help="Mark the file's videos as train, val or test.")
    ] = None,
) -> None:
    """Import AVA ground truth (keyframe boxes and actions) as GT boxes."""
    with open_project(project_dir) as project, err_console.status(f"importing {csv_file.name}…"):
        report = import_ava_ground_truth(
            project, csv_file, label_map=label_map, skip_unknown_actions=skip_unknown, split=split
        )
    _say_ground_truth(report, "keyframes")


@app.command("ucf24")
def ucf24(
    pickle_file: Annotated[Path, typer.Argument(help="UCF101v2-GT.pkl (ACT) or pyannot.pkl.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    split: Annotated[int, typer.Option(help="ACT split (0-2) for train/test membership.")] = 0,
) -> None:
    """Import UCF101-24 tubes as GT boxes (videos may be imported before or after)."""
    with open_project(project_dir) as project, err_console.status(f"importing {pickle_file.name}…"):
        report = import_ucf24_ground_truth(project, pickle_file, split=split)
    _say_ground_truth(report, "frames")


def _say_ground_truth(report: GroundTruthReport, frames: str) -> None:
    say(
        f"{report.boxes} boxes on {report.annotated_frames} {frames} of {report.videos} videos"
        f" ({report.placeholders} not imported yet)"
    )


@app.command("labels")
def labels(
    csv_file: Annotated[Path, typer.Argument(help="CSV: video,start,end,label[;label…]")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    create_labels: Annotated[
        bool, typer.Option("--create-labels", help="Add labels missing from the vocabulary.")
    ] = False,
) -> None:
    """Import clip labels; each row sets that clip's label set (all rows or none)."""
    with open_project(project_dir) as project:
        count = import_clip_labels(project, csv_file, create_labels=create_labels)
    say(f"labelled {count} clip(s)")
