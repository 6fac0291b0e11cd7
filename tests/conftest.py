"""Fixtures shared by all tests: real H.264 videos and real project folders."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from wsad_core.project import Project  # noqa: E402
from wsad_core.video import write_video  # noqa: E402

VideoFactory = Callable[..., Path]


@pytest.fixture
def make_video(tmp_path: Path) -> VideoFactory:
    """Write a small real H.264 MP4 whose frames differ by seed and frame index."""

    def make(
        name: str = "clip.mp4",
        *,
        frames: int = 50,
        fps: float = 25,
        size: tuple[int, int] = (64, 48),
        seed: int = 0,
        folder: Path | None = None,
    ) -> Path:
        width, height = size
        rng = np.random.default_rng(seed)
        base = rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8)
        path = (folder or tmp_path / "videos") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shifted = (np.roll(base, 2 * i, axis=1) for i in range(frames))
        return write_video(path, shifted, fps=fps)

    return make


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with Project.create(tmp_path / "project") as opened:
        yield opened


@pytest.fixture
def wsad(capsys):
    """Run `wsad ARGS…` in-process; returns (exit status, stdout, stderr)."""
    from wsad_core.cli import main

    def run(*args: object) -> tuple[int, str, str]:
        status = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return status, out, err

    return run
