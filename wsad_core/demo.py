"""`make demo`: build the synthetic demo project and run, through the `wsad` commands, every
stage that exists so far. Later stages (training, evaluation, export of predictions, the
studio on the trained run) join here as they land.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from wsad_core.cli import main as wsad


def _run(*args: object) -> None:
    words = [str(a) for a in args]
    print(f"\n$ wsad {' '.join(words)}", flush=True)
    status = wsad(words)
    if status != 0:
        raise SystemExit(status)


def run_demo(root: Path, *, preset: str = "demo") -> None:
    """Rebuild the demo project at ``root`` from scratch and walk through the pipeline."""
    if root.exists():
        shutil.rmtree(root)
    _run("synth", "demo", root, "--preset", preset)
    _run("info", "-p", root)
    _run("tubelets", "-p", root, "-k", 16)
    _run("clips", "split", "--from-gt", "--seconds", 2, "-p", root)
    _run("export", "labels", root / "exports" / "clip_labels.csv", "-p", root)
    _run("export", "ava-gt", root / "exports" / "ground_truth.csv", "-p", root)
    print(
        f"\nDemo project ready at {root}: videos and ground truth in {root / 'world'},"
        f" exports in {root / 'exports'}."
        "\nComing in later issues: MIL training with uncertainty, inference and action tubes,"
        " Frame AP / Video AP, and the studio's player with predicted tubes."
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    run_demo(Path(args[0] if args else "demo-project").resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
