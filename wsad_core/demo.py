"""`make demo`: build the synthetic demo project and run, through the `wsad` commands, the
whole pipeline: tubelets, weak labels, MIL training with uncertainty, prediction and action
tubes, Frame AP and Video AP with the AP chart, and the exports (AVA CSV, tubes CSV, a
rendered video). Ends with a short summary of what was labelled, the APs and the files.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from wsad_core.cli import main as wsad
from wsad_core.project import Project

TRAINING = ("model=cpu-tiny", "max_minutes=2")


def _run(*args: object) -> None:
    words = [str(a) for a in args]
    print(f"\n$ wsad {' '.join(words)}", flush=True)
    status = wsad(words)
    if status != 0:
        raise SystemExit(status)


def _ap(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _summary(root: Path, run_id: int, split: str, seconds: float) -> str:
    with Project.open(root) as project:
        info = project.summary()
        labels = [label.name for label in project.labels()]
        predictions = project.prediction_set(run_id)
        evaluation = json.loads((project.run_dir(run_id) / "metrics.json").read_text())[split]
        run_dir = project.run_dir(run_id)
    frame, video = evaluation["frame_ap"] or {}, evaluation["video_ap"] or {}
    video_maps = video.get("mAP", {})
    exports = root / "exports"
    return "\n".join([
        f"\nDemo done in {seconds:.0f} s. Project: {root}",
        f"  labelled: {info['labelled_clips']} clips of {info['videos']} videos with weak (clip-level) labels"
        f" from {len(labels)} actions ({', '.join(labels)}); {info['gt_boxes']} ground-truth boxes kept for evaluation",
        f"  run {run_id}: {predictions.tubelets} tubelets and {predictions.keyframe_boxes} keyframe boxes scored,"
        f" {predictions.tubes} action tubes",
        f"  Frame AP ({split}): {_ap(frame.get('mAP'))}",
        f"  Video AP ({split}): {_ap(video_maps.get('0.2'))} @0.2, {_ap(video_maps.get('0.5'))} @0.5",
        f"  run files: {run_dir} (metrics.json, ap_per_class_{split}.png, pr_curves_{split}.png)",
        f"  exports: {exports} (ground_truth.csv, predictions_ava.csv, tubes.csv, *.mp4)",
        "  open it in the studio: wsad-studio " + str(root),
    ])


def run_demo(root: Path, *, preset: str = "demo", training: Sequence[str] = TRAINING, tubelet_stride: int = 4) -> None:
    """Rebuild the demo project at ``root`` from scratch and walk through the pipeline.

    ``training`` are `wsad train` overrides (tests use ``max_steps``); ``tubelet_stride``
    spaces the scored tubelet windows (ACT links across up to 5 frames)."""
    started = time.monotonic()
    if root.exists():
        shutil.rmtree(root)
    exports = root / "exports"
    _run("synth", "demo", root, "--preset", preset)
    _run("info", "-p", root)
    _run("tubelets", "-p", root, "-k", 16)
    _run("clips", "split", "--from-gt", "--seconds", 2, "-p", root)
    _run("export", "labels", exports / "clip_labels.csv", "-p", root)
    _run("export", "ava-gt", exports / "ground_truth.csv", "-p", root)
    _run("train", "-p", root, "--name", "demo", "--quiet", *training)
    with Project.open(root) as project:
        run_id = project.runs()[-1].id
        videos = project.videos(status="ok")
    split = "val" if any(v.split == "val" for v in videos) else "all"
    shown = next((v.name for v in videos if v.split == split), videos[0].name)
    _run("predict", run_id, "-p", root, "--tubelet-stride", tubelet_stride)
    _run("eval", "run", run_id, "-p", root, "--split", split, "--video-gt", root / "world" / "ucf_tubes.pkl")
    _run("export", "predictions-ava", run_id, exports / "predictions_ava.csv", "-p", root)
    _run("export", "tubes-csv", run_id, exports / "tubes.csv", "-p", root)
    _run("export", "video", run_id, shown, exports / f"{shown}.mp4", "-p", root, "--min-score", 0.3)
    print(_summary(root, run_id, split, time.monotonic() - started))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    run_demo(Path(args[0] if args else "demo-project").resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
