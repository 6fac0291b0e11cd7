"""Small generated videos whose frames carry their own frame number."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from wsad_core.video import write_video

# A frame number is drawn as a 4x4 grid of black/white blocks, one bit each: large flat blocks
# survive lossy compression, so the number reads back exactly from any decoded frame.
_GRID = 4
_BITS = _GRID * _GRID


def numbered_frame(number: int, width: int = 64, height: int = 48) -> np.ndarray:
    bits = (number >> np.arange(_BITS)) & 1
    grid = (bits.reshape(_GRID, _GRID) * 255).astype(np.uint8)
    plane = np.repeat(np.repeat(grid, height // _GRID, axis=0), width // _GRID, axis=1)
    return np.repeat(plane[:, :, None], 3, axis=2)


def frame_number(rgb: np.ndarray) -> int:
    height, width = rgb.shape[0] // _GRID, rgb.shape[1] // _GRID
    blocks = rgb[: height * _GRID, : width * _GRID].mean(axis=2)
    means = blocks.reshape(_GRID, height, _GRID, width).mean(axis=(1, 3)).ravel()
    return int(sum(1 << bit for bit, mean in enumerate(means) if mean > 127))


MakeVideo = Callable[..., Path]


@pytest.fixture(scope="session")
def numbered_video(tmp_path_factory: pytest.TempPathFactory) -> MakeVideo:
    """Factory: a video whose frame i shows the number i, cached per set of arguments."""
    made: dict[tuple, Path] = {}

    def make(
        suffix: str = ".mp4",
        frames: int = 96,
        fps: float | Fraction = 25,
        b_frames: int = 2,
        keyframe_interval: int = 30,
        codec: str = "libx264",
        size: tuple[int, int] = (64, 48),
    ) -> Path:
        key = (suffix, frames, fps, b_frames, keyframe_interval, codec, size)
        if key not in made:
            folder = tmp_path_factory.mktemp("numbered")
            made[key] = write_video(
                folder / f"numbered{suffix}",
                (numbered_frame(i, *size) for i in range(frames)),
                fps,
                codec=codec,
                keyframe_interval=keyframe_interval,
                b_frames=b_frames,
            )
        return made[key]

    return make


@pytest.fixture(scope="session")
def decode_all() -> Callable[[Path], list[av.VideoFrame]]:
    """Every frame of a video decoded from its start with plain PyAV: the reference order."""

    def decode(path: Path) -> list[av.VideoFrame]:
        with av.open(str(path)) as container:
            return list(container.decode(video=0))

    return decode


@pytest.fixture(scope="session")
def read_number() -> Callable[[np.ndarray], int]:
    return frame_number


@pytest.fixture(scope="session")
def draw_number() -> Callable[..., np.ndarray]:
    return numbered_frame
