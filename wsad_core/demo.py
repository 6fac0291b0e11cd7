"""`make demo`: build the synthetic demo project and run, through the `wsad` commands, the
whole pipeline: tubelets, weak labels, MIL training with uncertainty, prediction and action
tubes, Frame AP and Video AP with the AP chart, and the exports (AVA CSV, tubes CSV, a
rendered video). Ends with a short summary of what was labelled, the APs and the files,
and, when there is a display to show it on, opens the studio on the project with the run's
predictions drawn over a validation video.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
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


def display_available(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether a window would be seen: not in CI, not with Qt's offscreen platform, and on Linux
    only with an X11 or Wayland display."""
    if environ.get("CI") or environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    if platform in ("darwin", "win32"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def studio_command(root: Path, run_id: int, video: str) -> list[str]:
    """`wsad-studio ROOT --video VIDEO --run RUN` with this interpreter (whatever PATH says)."""
    return [sys.executable, "-m", "wsad_studio.main", str(root), "--video", video, "--run", str(run_id)]


def open_studio(root: Path, run_id: int, video: str) -> None:
    """Start the studio in its own session, so the demo's command returns while it stays open."""
    command = studio_command(root, run_id, video)
    print(f"\nOpening the studio: wsad-studio {root} --video {video} --run {run_id}", flush=True)
    subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_demo(
    root: Path,
    *,
    preset: str = "demo",
    training: Sequence[str] = TRAINING,
    tubelet_stride: int = 4,
    studio: bool = False,
) -> None:
    """Rebuild the demo project at ``root`` from scratch and walk through the pipeline.

    ``training`` are `wsad train` overrides (tests use ``max_steps``); ``tubelet_stride``
    spaces the scored tubelet windows (ACT links across up to 5 frames); ``studio`` opens the
    studio on the result at the end."""
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
    if studio:
        open_studio(root, run_id, shown)


def main(argv: list[str] | None = None) -> int:
    """`python -m wsad_core.demo [PROJECT] [--no-studio]` (an unknown option is refused, not
    taken for the project's folder)."""
    parser = argparse.ArgumentParser(prog="python -m wsad_core.demo", description=__doc__.strip().splitlines()[0])
    parser.add_argument("project", nargs="?", type=Path, default=Path("demo-project"),
                        help="folder of the demo project (default: demo-project)")
    parser.add_argument("--no-studio", action="store_true", help="do not open the studio at the end")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    run_demo(args.project.resolve(), studio=not args.no_studio and display_available())
    return 0


if __name__ == "__main__":
    sys.exit(main())
