"""`make demo`: build a demo project and run, through the `wsad` commands, every stage that
exists so far. Later stages (the synthetic action world, detection, training, evaluation,
export of predictions, the studio) join here as they land.

Until the synthetic world exists, the demo videos are a stand-in: one square "person" per
video that walks (moves) or stands (stays) during one-second keyframe intervals, with
matching AVA ground truth.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from wsad_core.cli import main as wsad
from wsad_core.video import write_video

STAND, WALK = 12, 14
FPS, SECONDS, WIDTH, HEIGHT = 25, 6, 160, 120


def _person_track(seed: int) -> tuple[list[tuple[int, int]], list[int]]:
    """Top-left corner per frame and the action of each second (walk or stand)."""
    rng = np.random.default_rng(seed)
    actions = [int(rng.choice([STAND, WALK])) for _ in range(SECONDS)]
    x, y, corners = 20, 40, []
    for second in range(SECONDS):
        for _ in range(FPS):
            if actions[second] == WALK:
                x = (x + 3) % (WIDTH - 40)
            corners.append((x, y))
    return corners, actions


def write_demo_videos(folder: Path, count: int = 3) -> list[str]:
    """Write the stand-in videos and return their AVA ground-truth rows."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for index in range(count):
        corners, actions = _person_track(index)
        background = np.random.default_rng(100 + index).integers(40, 90, (HEIGHT, WIDTH, 3), dtype=np.uint8)

        def frames():
            for x, y in corners:
                frame = background.copy()
                frame[y : y + 40, x : x + 20] = (230, 200, 60)
                yield frame

        name = f"demo_{index}"
        write_video(folder / f"{name}.mp4", frames(), fps=FPS)
        for second in range(SECONDS):
            x, y = corners[second * FPS]
            box = f"{x / WIDTH:.3f},{y / HEIGHT:.3f},{(x + 20) / WIDTH:.3f},{(y + 40) / HEIGHT:.3f}"
            rows.append(f"{name},{second:04d},{box},{actions[second]},0")
    return rows


def _run(*args: object) -> None:
    words = [str(a) for a in args]
    print(f"\n$ wsad {' '.join(words)}", flush=True)
    status = wsad(words)
    if status != 0:
        raise SystemExit(status)


def run_demo(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        rows = write_demo_videos(root / "videos")
        gt = scratch_dir / "demo_gt.csv"
        gt.write_text("\n".join(rows) + "\n")
        _run("init", root, "--label-map", "ava-v2.2")
        _run("import", "videos", root / "videos", "-p", root)
        _run("import", "ava", gt, "-p", root)
        _run("clips", "split", "--from-gt", "--seconds", 2, "-p", root)
        _run("clips", "list", "-p", root, "--label", "walk")
        _run("export", "labels", root / "exports" / "clip_labels.csv", "-p", root, "--force")
        _run("export", "ava-gt", root / "exports" / "ground_truth.csv", "-p", root, "--force")
        _run("info", "-p", root)
    print(
        "\nDemo project ready at", root,
        "\nComing in later issues: the synthetic action world, person detection and tubelets,"
        " MIL training, evaluation (Frame AP / Video AP) and the studio's player.",
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    run_demo(Path(args[0] if args else "demo-project").resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
