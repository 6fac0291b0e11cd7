"""Clip transforms that move boxes with the pixels: resize, horizontal flip, normalise."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def resize_clip(clip: np.ndarray, short_side: int) -> tuple[torch.Tensor, float]:
    """(T, H, W, 3) uint8 → (3, T, H', W') float in [0, 1] with the shorter side ``short_side``.

    Returns the clip and the scale factor applied to pixel coordinates.
    """
    frames = torch.from_numpy(np.ascontiguousarray(clip)).permute(3, 0, 1, 2).float() / 255.0
    height, width = frames.shape[-2:]
    scale = short_side / min(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    if size != (height, width):
        frames = F.interpolate(frames, size=size, mode="bilinear", align_corners=False)
    return frames, scale


def boxes_to_pixels(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """Normalised (x1, y1, x2, y2) boxes to pixels of an image of the given size."""
    return np.asarray(boxes, dtype=np.float64) * np.array([width, height, width, height])


def flip_boxes(boxes: np.ndarray, width: int) -> np.ndarray:
    """Mirror (N, 4) pixel boxes left-right in an image ``width`` pixels wide."""
    flipped = np.array(boxes, dtype=np.float64, copy=True)
    flipped[:, 0] = width - boxes[:, 2]
    flipped[:, 2] = width - boxes[:, 0]
    return flipped


def flip_clip(clip: torch.Tensor, boxes: np.ndarray) -> tuple[torch.Tensor, np.ndarray]:
    """Mirror a (3, T, H, W) clip left-right, and its pixel boxes with it."""
    return clip.flip(-1), flip_boxes(boxes, clip.shape[-1])


def normalise(clip: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    mean_t = torch.tensor(mean, dtype=clip.dtype).view(3, 1, 1, 1)
    std_t = torch.tensor(std, dtype=clip.dtype).view(3, 1, 1, 1)
    return (clip - mean_t) / std_t
