"""`wsad eval video-ap`: ACT's Video AP of a tubes CSV against UCF101-24 ground truth.

Registered onto ``eval_cmd.app`` by :func:`register`, so that this command and `eval run`
can change independently.

``--json OUT.json`` writes::

    {"mAP": {"0.2": x, "0.5": y},                 # per asked ST-IoU threshold
     "per_class": {"<class name>": {"0.2": ap, "0.5": ap}},   # null: no ground truth
     "mAP_0.5:0.95": z,                           # mean of the mAPs at 0.5, 0.55, …, 0.95
     "n_gt": ground-truth tubes, "n_det": evaluated tubes, "n_ignored": tubes of other
     classes or videos}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from wsad_core.cli.common import ForceOption, console, say
from wsad_core.files import atomic_output


def video_ap(
    gt: Annotated[
        Path, typer.Option("--gt", "-g", help="UCF101v2-GT.pkl, pyannot.pkl, or a project folder.")
    ],
    detections: Annotated[
        Path, typer.Option("--detections", "-d", help="Tubes CSV (as `wsad export tubes-csv` writes).")
    ],
    iou: Annotated[
        Optional[list[float]],
        typer.Option("--iou", help="ST-IoU thresholds: --iou 0.2 0.5 (default), or --iou 0.2 --iou 0.5."),
    ] = None,
    # Click options take one value each: the values after the first --iou arrive here.
    more_iou: Annotated[
        Optional[list[float]], typer.Argument(hidden=True, show_default=False, metavar="IOU")
    ] = None,
    split: Annotated[
        Optional[str],
        typer.Option("--split", help="Videos to evaluate: train, val, test or all (default: ACT's test list for "
                     "the ACT pickle, all videos otherwise)."),
    ] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the result as JSON.")] = None,
    force: ForceOption = False,
) -> None:
    """Video AP with ACT's protocol (3D NMS 0.3, ST-IoU with +1 pixels, trapezoid AP)."""
    from wsad_core.evaluate.video_ap_files import evaluate_video_ap_files

    thresholds = [*(iou or []), *(more_iou or [])] or [0.2, 0.5]
    if more_iou and not iou:
        raise typer.BadParameter(f"unexpected argument {more_iou[0]:g}", param_hint="--iou")
    report = evaluate_video_ap_files(gt, detections, thresholds, split=split)
    keys = [f"{t:g}" for t in report.thresholds]
    table = Table("class", *(f"AP@{k}" for k in keys))
    for name in report.labels:
        aps = [report.per_threshold[t].per_class[name] for t in report.thresholds]
        table.add_row(name, *("—" if ap != ap else f"{ap:.4f}" for ap in aps))
    console.print(table)
    for key, t in zip(keys, report.thresholds):
        say(f"mAP@{key} {report.per_threshold[t].map:.4f}")
    say(f"mAP@0.5:0.95 {report.range_map:.4f}")
    say(f"{report.n_gt} ground-truth tubes, {report.n_det} detected tubes ({report.n_ignored} ignored)")
    if json_out is not None:
        with atomic_output(json_out, force=force) as temp:
            temp.write_text(json.dumps(report.to_json(), indent=2))


def register(app: typer.Typer) -> None:
    """Add `video-ap` to the `wsad eval` command group."""
    app.command("video-ap")(video_ap)
