"""`wsad detect` and `wsad tubelets`: people in the videos, and the MIL bags they make."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from wsad_core.cli.common import (
    DEFAULT_PROJECT,
    ProjectOption,
    console,
    emit_event,
    open_project,
    progress_bar,
    say,
)
from wsad_core.detect import (
    DetectionReport,
    DetectorOptions,
    FrameSelection,
    available_detectors,
    detect_videos,
    import_precomputed,
)
from wsad_core.detect.coverage import choose_detection_set, project_coverage
from wsad_core.errors import WsadError


def _parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: use I/N, e.g. 0/4") from None
    return index, count


def detect(
    project_dir: ProjectOption = DEFAULT_PROJECT,
    detector: Annotated[str, typer.Option("--detector", "-d", help="Detector name (see --list).")] = "frcnn-r50-fpn-v2",
    boxes: Annotated[
        Optional[Path], typer.Option("--boxes", help="With -d precomputed: the person-box CSV.")
    ] = None,
    weights: Annotated[
        Optional[str], typer.Option("--weights", help="Checkpoint file, or 'random' (plumbing only).")
    ] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="detectron2 config file.")] = None,
    score_threshold: Annotated[float, typer.Option("--score-threshold", help="Keep boxes scoring at least this.")] = 0.5,
    stride: Annotated[int, typer.Option("--stride", help="Detect on every N-th frame.")] = 1,
    keyframes: Annotated[bool, typer.Option("--keyframes", help="Detect at 1 Hz keyframes (as AVA).")] = False,
    min_size: Annotated[Optional[int], typer.Option("--min-size", help="Shorter image side fed to the detector.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Frames per detector call.")] = 4,
    device: Annotated[str, typer.Option("--device", help="auto, cpu, cuda, cuda:1 …")] = "auto",
    half: Annotated[bool, typer.Option("--half", help="Half precision (GPU only).")] = False,
    shard: Annotated[str, typer.Option("--shard", help="Process shard I of N (e.g. 0/4).")] = "0/1",
    videos: Annotated[Optional[list[str]], typer.Option("--video", "-v", help="Only these videos.")] = None,
    list_detectors: Annotated[bool, typer.Option("--list", help="List the detectors and exit.")] = False,
    list_sets: Annotated[
        bool, typer.Option("--sets", help="List the project's detection sets and the videos they cover, and exit.")
    ] = False,
    events: Annotated[bool, typer.Option("--events", help="JSON-lines progress events on stdout.")] = False,
) -> None:
    """Detect people in the project's videos (cached: a rerun costs nothing; resumable)."""
    if list_detectors:
        for name, description in available_detectors().items():
            say(f"{name:22} {description}")
        return
    if list_sets:
        _print_sets(project_dir)
        return
    with open_project(project_dir) as project:
        if detector == "precomputed":
            if boxes is None:
                raise WsadError("detector 'precomputed' needs --boxes FILE.csv")
            report = import_precomputed(project, boxes)
        else:
            options = DetectorOptions(
                weights=weights,
                score_threshold=score_threshold,
                min_size=min_size,
                batch_size=batch_size,
                device=device,
                half=half,
                extra={"config": str(config)} if config else {},
            )
            def run(progress: Callable[[int, int, str], None]) -> DetectionReport:
                return detect_videos(
                    project,
                    detector,
                    options,
                    selection=FrameSelection(stride=stride, keyframes=keyframes),
                    videos=videos,
                    shard=_parse_shard(shard),
                    progress=progress,
                )

            if events:
                report = run(lambda done, total, name: emit_event("progress", frames=done, total=total, video=name))
            else:
                with progress_bar("detecting") as (bar, task):
                    report = run(lambda done, total, name: bar.update(task, completed=done, total=total, item=name))
    if events:
        emit_event("done", set=report.set_key, processed=len(report.processed), cached=len(report.cached),
              boxes=report.boxes)
        return
    say(
        f"detection set {report.set_key}: {len(report.processed)} video(s) processed, "
        f"{len(report.cached)} cached, {report.boxes} boxes"
    )


def _print_sets(project_dir: Path) -> None:
    with open_project(project_dir) as project:
        sets = project_coverage(project)
    if not sets:
        say("no detection sets yet: run `wsad detect` (or import boxes with -d precomputed --boxes FILE)")
        return
    table = Table("set", "detector", "videos covered", "missing")
    for found in sets:
        missing = ", ".join(found.missing[:5]) + (" …" if len(found.missing) > 5 else "")
        table.add_row(found.key, found.detector, f"{found.covered}/{found.total}", missing)
    console.print(table)


def tubelets(
    project_dir: ProjectOption = DEFAULT_PROJECT,
    detections: Annotated[
        Optional[str], typer.Option("--detections", help="Detection set (default: the only one).")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Tubelet length in frames.")] = 16,
    min_score: Annotated[float, typer.Option("--min-score", help="Ignore boxes scoring less.")] = 0.0,
) -> None:
    """Build person tubelets and MIL bags; report bag sizes and, with ground truth, tubelet recall/precision."""
    from wsad_core.mil import bag_report
    from wsad_core.mil.project_bags import project_bags
    from wsad_core.tubes.project_tubelets import TubeletConfig, project_tubelets, tubelet_quality

    with open_project(project_dir) as project:
        detection_set = choose_detection_set(project, detections, option="--detections KEY")
        with progress_bar("tubelets") as (bar, task):
            found = project_tubelets(
                project,
                detection_set,
                TubeletConfig(k=k, min_score=min_score),
                progress=lambda done, total, name: bar.update(task, completed=done, total=total, item=name),
            )
        report = bag_report(project_bags(project, found))
        quality = tubelet_quality(project, found)
    table = Table("", "value")
    table.add_row("videos with tubelets", str(len(found)))
    table.add_row("tubelets", str(sum(len(t) for t in found.values())))
    table.add_row("bags (labelled clips)", str(report.bags))
    table.add_row("empty bags", str(report.empty_bags))
    table.add_row("tubelets per bag (mean / max)", f"{report.mean_tubelets:.1f} / {report.max_tubelets}")
    if quality is not None:
        table.add_row("tubelet recall @0.5", f"{quality.recall:.1%} of {quality.gt_boxes} GT boxes")
        table.add_row("tubelet precision @0.5", f"{quality.precision:.1%} of {quality.tubelet_boxes} boxes")
    console.print(table)
