"""Clip transforms that move boxes with the pixels: resize, horizontal flip, normalise.

Clips stay 8-bit from decoding to the batch, (3, T, H, W) ``uint8``: a quarter of the bytes
to copy between loader processes, and one fused pass (:func:`normalise_clips`) turns a whole
batch into the model's floats, on the GPU when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

_RESIZE_CHUNK = 64


def resized_size(height: int, width: int, short_side: int) -> tuple[int, int]:
    """(height, width) scaled so that the shorter side is ``short_side``."""
    scale = short_side / min(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize_frames(frames: np.ndarray, short_side: int) -> np.ndarray:
    """(N, H, W, 3) uint8 frames with the shorter side ``short_side`` (bilinear, rounded to 8 bits).

    Frames already at that size are returned as they are.
    """
    height, width = frames.shape[1:3]
    size = resized_size(height, width, short_side)
    if size == (height, width):
        return frames
    out = np.empty((len(frames), *size, 3), np.uint8)
    for start in range(0, len(frames), _RESIZE_CHUNK):
        chunk = torch.from_numpy(np.ascontiguousarray(frames[start : start + _RESIZE_CHUNK]))
        resized = F.interpolate(chunk.permute(0, 3, 1, 2).float(), size=size, mode="bilinear", align_corners=False)
        out[start : start + len(chunk)] = resized.round_().clamp_(0, 255).byte().permute(0, 2, 3, 1).numpy()
    return out


def frames_to_clip(frames: np.ndarray) -> torch.Tensor:
    """(T, H, W, 3) uint8 frames → a (3, T, H, W) uint8 clip (a view when possible)."""
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(3, 0, 1, 2)


def boxes_to_pixels(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """Normalised (x1, y1, x2, y2) boxes to pixels of an image of the given size."""
    return np.asarray(boxes, dtype=np.float64) * np.array([width, height, width, height])


def flip_boxes(boxes: np.ndarray, width: int) -> np.ndarray:
    """Mirror (N, 4) pixel boxes left-right in an image ``width`` pixels wide."""
    flipped = np.array(boxes, dtype=np.float64, copy=True)
    flipped[:, 0] = width - boxes[:, 2]
    flipped[:, 2] = width - boxes[:, 0]
    return flipped


def normalise_clips(clips: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 clips (..., 3, T, H, W) → float32 ``(x / 255 - mean) / std`` per channel."""
    shape = (3, 1, 1, 1)
    scale = torch.tensor(std, dtype=torch.float32, device=clips.device).view(shape) * 255.0
    offset = torch.tensor(mean, dtype=torch.float32, device=clips.device).view(shape) * 255.0
    return clips.float().sub_(offset).div_(scale)
