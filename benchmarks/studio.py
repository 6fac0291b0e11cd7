"""Studio responsiveness: time to open a big project, frame-step and random-seek latency.

Usage: python benchmarks/studio.py [--videos 5000] [--seconds 20] [--seeks 40]

The numbers depend on the machine and on its load: run it on an otherwise idle machine.
Latency is measured through the real player (state → decoding thread → QImage → pixmap →
overlays) on a generated 1280×720 H.264 video (keyframe every 25 frames, 2 B-frames), from
moving the playhead until the frame is on screen. Seeks start from an empty frame cache.
Targets (issue 7): open ≤ 1 s, step ≤ 20 ms median, seek ≤ 150 ms median.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from wsad_core.project import Project  # noqa: E402
from wsad_core.project.schema import Clip, Video  # noqa: E402
from wsad_core.video import write_video  # noqa: E402
from wsad_studio.main_window import MainWindow  # noqa: E402
from wsad_studio.state import AppState  # noqa: E402


def hd_frames(count: int, width: int = 1280, height: int = 720):
    """A panning textured background with three people-sized blocks moving across it: a
    bitrate like real footage (a few Mbit/s), unlike per-frame noise."""
    rng = np.random.default_rng(0)
    blocks = rng.integers(0, 255, size=(height // 16, 2 * width // 16, 3), dtype=np.uint8)
    base = cv2.GaussianBlur(cv2.resize(blocks, (2 * width, height), interpolation=cv2.INTER_NEAREST), (9, 9), 0)
    colours = rng.integers(0, 255, size=(3, 3), dtype=np.uint8)
    for index in range(count):
        offset = (3 * index) % width
        frame = np.ascontiguousarray(base[:, offset : offset + width])
        for person, colour in enumerate(colours):
            x = (200 + 380 * person + 5 * index * (1 if person % 2 else -1)) % (width - 120)
            y = 200 + 60 * person
            frame[y : y + 360, x : x + 120] = colour
        yield frame


def make_project(root: Path, seconds: int) -> Path:
    video = root / "videos" / "hd.mp4"
    video.parent.mkdir(parents=True)
    write_video(video, hd_frames(seconds * 25), fps=25)
    with Project.create(root / "hd") as project:
        project.import_videos([video])
        project.add_labels(["walk", "wave", "sit"])
    return root / "hd"


def make_big_project(root: Path, videos: int) -> Path:
    """A project with ``videos`` video rows and a labelled whole-video clip each (rows written
    directly: probing thousands of files is not what is measured)."""
    with Project.create(root / "big") as project:
        labels = project.add_labels(["walk", "wave", "sit"])
        with project.transaction() as session:
            session.execute(insert(Video), [
                dict(name=f"video_{i:05d}", path=f"/data/video_{i:05d}.mp4", size=10_000_000,
                     fingerprint=f"fp{i}", fps=25.0, frame_count=750, duration=30.0, width=1280,
                     height=720, codec="h264", status="ok")
                for i in range(videos)
            ])
            session.execute(insert(Clip), [
                dict(video_id=i + 1, start=0.0, end=30.0, kind="video") for i in range(videos)
            ])
        for clip_id in range(1, videos + 1, 10):
            project.set_clip_labels(clip_id, [labels[clip_id % 3].name])
    return root / "big"


def show(window: MainWindow, frame: int, timeout_ms: int = 10_000) -> float:
    """Move the playhead to ``frame``; seconds until that frame is painted in the view.

    Waits in an event loop (as the studio does), not by polling, so the decoding thread is not
    starved of the GIL by the wait itself.
    """
    player = window.player
    loop = QEventLoop()
    arrived = lambda index: index == frame and loop.quit()  # noqa: E731
    player.frame_shown.connect(arrived)
    QTimer.singleShot(timeout_ms, loop.quit)
    started = time.perf_counter()
    window.state.set_frame(frame)
    if player.shown_frame != frame:
        loop.exec()
    player.frame_shown.disconnect(arrived)
    if player.shown_frame != frame:
        raise TimeoutError(f"frame {frame} not shown within {timeout_ms} ms")
    player.view.viewport().repaint()
    return time.perf_counter() - started


def report(name: str, seconds: list[float], target_ms: float) -> None:
    ms = [s * 1000 for s in seconds]
    median = statistics.median(ms)
    verdict = "ok" if median <= target_ms else "OVER TARGET"
    print(f"{name:<28} median {median:7.1f} ms   max {max(ms):7.1f} ms   "
          f"(n={len(ms)}, target ≤ {target_ms:g} ms median: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=20, help="length of the 1280×720 video")
    parser.add_argument("--reuse", type=Path, help="a folder this script made before (skips encoding)")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seeks", type=int, default=40)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    scratch = args.reuse or Path(tempfile.mkdtemp(prefix="wsad-studio-bench-"))
    big = scratch / "big" if args.reuse else make_big_project(scratch, args.videos)
    state = AppState()
    window = MainWindow(state)
    window.show()
    app.processEvents()
    started = time.perf_counter()
    state.open_project(big)
    app.processEvents()
    opened = time.perf_counter() - started
    print(f"open a project of {args.videos} videos: {opened * 1000:.0f} ms "
          f"({window.library_model.rowCount()} rows listed; target ≤ 1000 ms: "
          f"{'ok' if opened <= 1 else 'OVER TARGET'})")

    hd = scratch / "hd" if args.reuse else make_project(scratch, args.seconds)
    state.open_project(hd)
    state.select_video("hd")
    frames = state.frame_count
    show(window, 0)
    show(window, 100)
    steps = [show(window, 100 + i) for i in range(1, args.steps + 1)]
    report("frame step forward (→)", steps, 20)
    window.player.source.clear_cache()
    back = [show(window, state.frame - 1) for _ in range(min(args.steps, state.frame))]
    report("frame step back (←)", back, 20)
    rng = random.Random(0)
    seeks = []
    for _ in range(args.seeks):
        window.player.source.clear_cache()
        seeks.append(show(window, rng.randrange(frames)))
    report("random seek, no cache", seeks, 150)
    print(f"1280×720 H.264, {frames} frames; {os.cpu_count()} CPUs")
    window.close()
    state.close()


if __name__ == "__main__":
    main()
