"""`wsad clips …`: clips (the spans that carry weak labels) and their labels."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from wsad_core.cli.common import DEFAULT_PROJECT, ProjectOption, console, open_project, say

app = typer.Typer(help="Split videos into clips and label them.", no_args_is_help=True)


@app.command("split")
def split(
    project_dir: ProjectOption = DEFAULT_PROJECT,
    seconds: Annotated[
        Optional[float],
        typer.Option("--seconds", "-s", help="Sub-clip length (with --from-gt: omit for the whole annotated span)."),
    ] = None,
    videos: Annotated[
        Optional[list[str]], typer.Option("--video", "-v", help="Only these videos (repeatable).")
    ] = None,
    from_gt: Annotated[
        bool,
        typer.Option("--from-gt", help="Label each sub-clip with the union of its ground-truth actions."),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With --from-gt: replace labels people set.")
    ] = False,
) -> None:
    """Split videos into fixed-length sub-clips, or derive weak labels from ground truth."""
    with open_project(project_dir) as project:
        if from_gt:
            report = project.derive_weak_labels(seconds, videos=videos, overwrite=overwrite)
            say(
                f"{report.labelled} sub-clip(s) labelled from ground truth"
                + (f", {report.skipped_user_labelled} kept (labelled by people)" if report.skipped_user_labelled else "")
            )
            return
        if seconds is None:
            raise typer.BadParameter("--seconds is required (unless --from-gt)")
        made = project.split_videos(seconds, videos)
    say(f"{len(made)} sub-clip(s) of {seconds:g} s")


@app.command("add")
def add(
    video: Annotated[str, typer.Argument(help="Video name, id or path.")],
    start: Annotated[float, typer.Argument(help="Start, seconds.")],
    end: Annotated[float, typer.Argument(help="End, seconds.")],
    labels: Annotated[Optional[list[str]], typer.Option("--label", "-l", help="Label (repeatable).")] = None,
    project_dir: ProjectOption = DEFAULT_PROJECT,
) -> None:
    """Add an interval clip, optionally labelled."""
    with open_project(project_dir) as project:
        clip = project.add_clip(video, start, end)
        if labels is not None:
            clip = project.set_clip_labels(clip.id, labels)
    say(f"clip {clip.id}: {clip.video_name} {clip.start:g}–{clip.end:g} s {', '.join(clip.labels)}")


@app.command("label")
def label(
    clip_id: Annotated[int, typer.Argument(help="Clip id (see `wsad clips list`).")],
    labels: Annotated[Optional[list[str]], typer.Argument(help="The clip's labels (none: no action).")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Mark the clip as not labelled.")] = False,
    project_dir: ProjectOption = DEFAULT_PROJECT,
) -> None:
    """Set a clip's label set (replacing it), or clear it."""
    with open_project(project_dir) as project:
        clip = project.clear_clip_labels(clip_id) if clear else project.set_clip_labels(clip_id, labels or [])
    state = ", ".join(clip.labels) if clip.labelled else "not labelled"
    say(f"clip {clip.id}: {state or 'no action'}")


@app.command("list")
def list_clips(
    project_dir: ProjectOption = DEFAULT_PROJECT,
    video: Annotated[Optional[str], typer.Option("--video", "-v", help="Only this video.")] = None,
    label: Annotated[Optional[str], typer.Option("--label", "-l", help="Only clips with this label.")] = None,
    unlabelled: Annotated[bool, typer.Option("--unlabelled", help="Only clips nobody labelled.")] = False,
) -> None:
    """List clips with their labels."""
    with open_project(project_dir) as project:
        clips = project.clips(video=video, label=label, labelled=False if unlabelled else None)
    table = Table("id", "video", "start", "end", "kind", "labels")
    for clip in clips:
        labels = ", ".join(clip.labels) if clip.labelled else "[dim]—[/dim]"
        table.add_row(str(clip.id), clip.video_name, f"{clip.start:g}", f"{clip.end:g}", clip.kind, labels or "(none)")
    console.print(table)
