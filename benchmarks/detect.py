"""Frames per second of each person detector on this machine, one frame per call and batched.

Usage: python benchmarks/detect.py [--frames 16] [--video PATH]

Uses Debian's real pedestrian video (opencv-doc's vtest.avi, 768×576) when present, else a
generated 640×360 video. Torchvision detectors run with random weights when no COCO weights
are cached: the cost of a forward pass does not depend on the weights' values.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from wsad_core.detect import DetectorOptions, create_detector
from wsad_core.errors import WsadError
from wsad_core.video import VideoReader, write_video

VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


def sample_frames(video: Path | None, count: int) -> list[np.ndarray]:
    if video is None:
        scratch = Path(tempfile.mkdtemp()) / "bench.mp4"
        rng = np.random.default_rng(0)
        write_video(scratch, (rng.integers(0, 255, (360, 640, 3), dtype=np.uint8) for _ in range(count)))
        video = scratch
    with VideoReader(video) as reader:
        return [frame for _, frame in reader.iter_frames(0, count)]


def detector_for(name: str, batch_size: int) -> tuple[object, str]:
    try:
        return create_detector(name, DetectorOptions(batch_size=batch_size)), "COCO"
    except WsadError:
        return create_detector(name, DetectorOptions(weights="random", batch_size=batch_size)), "random"


def frames_per_second(detector, frames: list[np.ndarray], batch_size: int) -> float:
    detector.detect(frames[:batch_size])  # warm-up
    started = time.perf_counter()
    for start in range(0, len(frames), batch_size):
        detector.detect(frames[start : start + batch_size])
    return len(frames) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--video", type=Path, default=VTEST if VTEST.exists() else None)
    args = parser.parse_args()
    frames = sample_frames(args.video, args.frames)
    height, width = frames[0].shape[:2]
    print(f"{len(frames)} frames of {width}×{height} from {args.video or 'a generated video'}; "
          f"torch threads: {torch.get_num_threads()}")
    print(f"{'detector':22} {'weights':8} {'batch 1':>10} {'batch 4':>10}")
    for name in ("hog", "frcnn-mobilenet-320", "frcnn-r50-fpn-v2"):
        results = []
        for batch_size in (1, 4):
            detector, weights = detector_for(name, batch_size)
            results.append(frames_per_second(detector, frames, batch_size))
        print(f"{name:22} {weights:8} {results[0]:8.2f}/s {results[1]:8.2f}/s")


if __name__ == "__main__":
    main()
