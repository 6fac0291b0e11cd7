"""`wsad predict RUN`: score videos with a run, link action tubes, store them with the run."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from wsad_core.cli.common import DEFAULT_PROJECT, ProjectOption, emit_event, open_project, progress_bar, say


def predict(
    run_id: Annotated[str, typer.Argument(help="Run id or name.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    split: Annotated[str, typer.Option("--split", help="Videos to predict on: train, val, test or all.")] = "all",
    videos: Annotated[Optional[list[str]], typer.Option("--videos", "--video", "-v", help="Only these videos.")] = None,
    checkpoint: Annotated[
        Optional[Path], typer.Option("--checkpoint", help="Checkpoint file (default: the run's last).")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Clips per model call (the boxes of one frame share a clip).")
    ] = 16,
    device: Annotated[str, typer.Option("--device", help="auto, cpu, cuda, cuda:1 …")] = "auto",
    tubelet_stride: Annotated[
        int,
        typer.Option("--tubelet-stride", help="Score a tubelet starting every N frames of a track (1: ACT's)."),
    ] = 1,
    trim: Annotated[
        Optional[float],
        typer.Option("--trim", help="Trim tubes in time after linking (Viterbi) with this switch penalty, e.g. 0.3."),
    ] = None,
    detections: Annotated[
        Optional[str],
        typer.Option("--detections", help="Detection set to score (key, see `wsad detect --sets`); "
                                          "default: the one the run trained on."),
    ] = None,
    events: Annotated[bool, typer.Option("--events", help="JSON-lines progress events on stdout.")] = False,
) -> None:
    """Score every tubelet and keyframe box of the chosen videos (class probabilities and σ²),
    link action tubes, and store them with the run (replacing its earlier predictions)."""
    from wsad_core.infer.predict import PredictOptions, predict_run

    options = PredictOptions(
        split=split, videos=tuple(videos or ()), checkpoint=checkpoint, batch_size=batch_size,
        device=device, tubelet_stride=tubelet_stride, trim=trim, detections=detections,
    )
    started = time.monotonic()
    with open_project(project_dir) as project, progress_bar("predicting") as (bar, task):
        def update(done: float, total: int) -> None:  # videos, with the fraction of the current one
            bar.update(task, completed=done, total=total)
            if events:
                emit_event("predict", done=round(done, 4), total=total)

        record = predict_run(project, run_id, options, progress=update)
    if events:
        emit_event("done", run=record.run_id, videos=len(record.videos), tubelets=record.tubelets,
                   keyframe_boxes=record.keyframe_boxes, tubes=record.tubes,
                   seconds=round(time.monotonic() - started, 3))
    message = (
        f"run {record.run_id}: {len(record.videos)} video(s), {record.tubelets} tubelets and "
        f"{record.keyframe_boxes} keyframe boxes scored, {record.tubes} action tubes, in {record.folder}"
    )
    if events:
        print(message, file=sys.stderr)
    else:
        say(message)
