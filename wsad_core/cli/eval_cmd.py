"""`wsad eval frame-ap|run`: the community's metrics, on files or on a run of a project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from wsad_core.cli.common import DEFAULT_PROJECT, ForceOption, ProjectOption, console, open_project, say
from wsad_core.files import atomic_output

app = typer.Typer(help="Evaluate detections: Frame AP (AVA protocol).", no_args_is_help=True)


def _report(result, names: dict[int, str], json_out: Path | None, force: bool) -> None:  # noqa: ANN001
    table = Table("id", "class", "AP")
    for class_id, ap in sorted(result.per_class.items()):
        table.add_row(str(class_id), names.get(class_id, ""), "—" if ap != ap else f"{ap:.4f}")
    console.print(table)
    say(f"mAP {result.map:.4f} ({result.n_gt} ground-truth boxes, {result.n_det} detections)")
    if json_out is not None:
        with atomic_output(json_out, force=force) as temp:
            temp.write_text(json.dumps(result.to_json(), indent=2))


@app.command("frame-ap")
def frame_ap(
    label_map: Annotated[Path, typer.Option("--label-map", "-l", help="AVA label map (.pbtxt) of the evaluated classes.")],
    gt: Annotated[Path, typer.Option("--gt", "-g", help="Ground-truth AVA CSV.")],
    detections: Annotated[Path, typer.Option("--detections", "-d", help="Detections AVA CSV (with scores).")],
    excluded: Annotated[Optional[Path], typer.Option("--excluded", "-e", help="Excluded timestamps CSV.")] = None,
    no_cap: Annotated[bool, typer.Option("--no-cap", help="Keep all detections per keyframe (no top-50 cap).")] = False,
    ignore_unannotated: Annotated[
        bool, typer.Option("--ignore-unannotated",
                           help="Ignore detections on keyframes without ground truth (MMAction2); by default they "
                                "are false positives, as in ActivityNet's evaluator.")
    ] = False,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the result as JSON.")] = None,
    force: ForceOption = False,
) -> None:
    """Frame AP with the AVA protocol (per class and mean)."""
    from wsad_core.evaluate import evaluate_frame_ap_files
    from wsad_core.formats import read_label_map

    result = evaluate_frame_ap_files(
        label_map, gt, detections, excluded, None if no_cap else 50,
        unannotated="ignore" if ignore_unannotated else "false_positive",
    )
    _report(result, {e.id: e.name for e in read_label_map(label_map)}, json_out, force)


@app.command("run")
def run(
    run_id: Annotated[str, typer.Argument(help="Run id or name.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    split: Annotated[str, typer.Option("--split", help="Videos to evaluate on: train, val, test, or all.")] = "val",
    video_gt: Annotated[
        Optional[Path],
        typer.Option("--video-gt", help="Ground-truth tubes for Video AP (UCF101v2-GT.pkl or pyannot.pkl); "
                                        "default: the project's every-frame ground truth."),
    ] = None,
    device: Annotated[str, typer.Option("--device", help="For predicting first: auto, cpu, cuda …")] = "auto",
    batch_size: Annotated[int, typer.Option("--batch-size", help="For predicting first: clips per model call.")] = 16,
    detections: Annotated[
        Optional[str],
        typer.Option("--detections", help="Score this detection set's boxes (predicting again if the stored "
                                          "predictions used another); default: the stored predictions' set, "
                                          "else the one the run trained on."),
    ] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the result as JSON.")] = None,
    force: ForceOption = False,
) -> None:
    """Frame AP and Video AP of a run on a split, from its stored predictions (made first when
    missing); stored with the run (metrics.json, runs table) with a per-class AP chart and PR curves."""
    from wsad_core.cli.common import progress_bar
    from wsad_core.evaluate.run_eval import evaluate_run
    from wsad_core.errors import WsadError
    from wsad_core.infer.predict import PredictOptions

    if json_out is not None and json_out.exists() and not force:
        raise WsadError(f"{json_out}: already exists (use --force to overwrite)")

    with open_project(project_dir) as project, progress_bar("predicting") as (bar, task):
        result = evaluate_run(
            project, run_id, split=split, video_gt=video_gt,
            options=PredictOptions(device=device, batch_size=batch_size, detections=detections),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    summary = result.to_json()
    frame, video = summary["frame_ap"], summary["video_ap"]
    video_classes = (video or {}).get("per_class", {}).get("0.5", {})
    names = list(dict.fromkeys([*(frame or {}).get("per_class", {}), *video_classes]))
    table = Table("class", "Frame AP", "Video AP@0.2", "Video AP@0.5")

    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.4f}"

    for name in names:
        table.add_row(
            name, cell((frame or {}).get("per_class", {}).get(name)),
            *(cell((video or {}).get("per_class", {}).get(t, {}).get(name)) for t in ("0.2", "0.5")),
        )
    console.print(table)
    if frame is not None:
        say(f"Frame AP {cell(frame['mAP'])} on {len(result.videos)} {split} video(s) "
            f"({frame['n_gt']} ground-truth boxes, {frame['n_det']} detections)")
    if video is not None:
        maps = video["mAP"]
        say(f"Video AP {cell(maps['0.2'])} @0.2, {cell(maps['0.5'])} @0.5, {cell(maps['0.5:0.95'])} @0.5:0.95 "
            f"(ground truth: {video['ground_truth']})")
    say(f"person boxes: detection set {summary['detection_set']}")
    say("wrote " + ", ".join(str(path) for path in result.files.values()))
    if json_out is not None:
        with atomic_output(json_out, force=force) as temp:
            temp.write_text(json.dumps(summary, indent=2))


from wsad_core.cli.video_ap_cmd import register as _register_video_ap  # noqa: E402

_register_video_ap(app)
