"""`wsad export labels|ava-gt|predictions-ava|tubes-csv|video`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from wsad_core.cli.common import (
    DEFAULT_PROJECT,
    ForceOption,
    ProjectOption,
    emit_event,
    open_project,
    progress_bar,
    say,
)
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


RunArgument = Annotated[str, typer.Argument(help="Run id or name (after `wsad predict`).")]
VideosOption = Annotated[Optional[list[str]], typer.Option("--videos", "--video", "-v", help="Only these videos.")]


@app.command("predictions-ava")
def predictions_ava(
    run_id: RunArgument,
    out: Annotated[Path, typer.Argument(help="AVA CSV to write (video_id,timestamp,x1,y1,x2,y2,action_id,score).")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    videos: VideosOption = None,
    force: ForceOption = False,
) -> None:
    """Export a run's keyframe detections as an AVA CSV (for the official evaluator or `wsad eval frame-ap`)."""
    from wsad_core.export import export_predictions_ava

    with open_project(project_dir) as project:
        count = export_predictions_ava(project, run_id, out, videos=videos, force=force)
    say(f"wrote {count} detection row(s) to {out}")


@app.command("tubes-csv")
def tubes_csv(
    run_id: RunArgument,
    out: Annotated[Path, typer.Argument(help="Tubes CSV to write (one row per tube per frame).")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    videos: VideosOption = None,
    force: ForceOption = False,
) -> None:
    """Export a run's action tubes as a tubes CSV (what `wsad eval video-ap -d` reads)."""
    from wsad_core.export import export_tubes_csv

    with open_project(project_dir) as project:
        count = export_tubes_csv(project, run_id, out, videos=videos, force=force)
    say(f"wrote {count} tube row(s) to {out}")


@app.command("video")
def video(
    run_id: RunArgument,
    video_name: Annotated[str, typer.Argument(help="Video name (see `wsad videos`).")],
    out: Annotated[Path, typer.Argument(help="Video file to write (.mp4, H.264).")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    min_score: Annotated[float, typer.Option("--min-score", help="Draw tubes scoring at least this.")] = 0.0,
    force: ForceOption = False,
    events: Annotated[bool, typer.Option("--events", help="JSON-lines progress events on stdout.")] = False,
) -> None:
    """Render the video with the run's action tubes: a colour per tube, labels, scores, uncertainty."""
    from wsad_core.export import render_video

    with open_project(project_dir) as project:
        if events:
            def report(done: int, total: int) -> None:  # about a hundred events, whatever the length
                if done == total or done % max(1, total // 100) == 0:
                    emit_event("progress", frames=done, total=total)

            frames = render_video(project, run_id, video_name, out, min_score=min_score, force=force, progress=report)
            emit_event("done", frames=frames, path=str(out))
            return
        with progress_bar("rendering") as (bar, task):
            frames = render_video(
                project, run_id, video_name, out, min_score=min_score, force=force,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    say(f"wrote {frames} frame(s) to {out}")
