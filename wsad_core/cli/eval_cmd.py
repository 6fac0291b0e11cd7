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
    unannotated_fp: Annotated[
        bool, typer.Option("--unannotated-fp", help="Count detections on keyframes without ground truth as false positives.")
    ] = False,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the result as JSON.")] = None,
    force: ForceOption = False,
) -> None:
    """Frame AP with the AVA protocol (per class and mean)."""
    from wsad_core.evaluate import evaluate_frame_ap_files
    from wsad_core.formats import read_label_map

    result = evaluate_frame_ap_files(
        label_map, gt, detections, excluded, None if no_cap else 50,
        unannotated="false_positive" if unannotated_fp else "ignore",
    )
    _report(result, {e.id: e.name for e in read_label_map(label_map)}, json_out, force)


@app.command("run")
def run(
    run_id: Annotated[str, typer.Argument(help="Run id or name.")],
    project_dir: ProjectOption = DEFAULT_PROJECT,
    split: Annotated[str, typer.Option("--split", help="Videos to evaluate on: train, val, test, or all.")] = "val",
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the result as JSON.")] = None,
    force: ForceOption = False,
) -> None:
    """Frame AP of a run on the annotated frames of a split; stored with the run."""
    from wsad_core.evaluate.run_frame_ap import run_frame_ap

    with open_project(project_dir) as project:
        result = run_frame_ap(project, run_id, split=None if split == "all" else split)
        project.update_run(run_id, metrics={f"frame_ap_{split}": result.result.map})
    _report(result.result, result.class_names, json_out, force)
