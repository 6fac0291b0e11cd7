"""Clip transforms that move boxes with the pixels: resize, horizontal flip, normalise.

Clips stay 8-bit from decoding to the batch, (3, T, H, W) ``uint8``: a quarter of the bytes
to copy between loader processes, and :func:`normalise_clips` turns a whole batch into the
model's floats, on the GPU when there is one. On a GPU the resize can move there too
(:func:`resize_clips`), so that the loader handles clips at the video's own size.
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
    """uint8 clips (..., 3, T, H, W) → float32 ``(x / 255 - mean) / std`` per channel
    (float clips of 0–255 too, normalised in place).

    The constants go to the kernels as numbers, not as tensors copied to the GPU: a copy from
    ordinary memory waits for the work already queued there, every step."""
    out = clips.float()
    for channel, (m, sd) in enumerate(zip(mean, std)):
        out.select(-4, channel).sub_(m * 255.0).div_(sd * 255.0)
    return out


def resize_clips(
    clips: torch.Tensor, sizes: torch.Tensor, boxes: torch.Tensor, short_side: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch's clips resized where they are (on the GPU, say), and its boxes moved with them.

    ``clips`` (U, 3, T, H, W) uint8 are padded on the right and bottom; ``sizes`` (U, 2), a CPU
    tensor, holds each clip's true (height, width); ``boxes`` (N, 5) are rows of (clip index,
    x1, y1, x2, y2) in the pixels of their clip. Returns float clips (values 0–255) whose
    shorter side is ``short_side``, bilinear per frame as :func:`resize_frames` but not rounded
    to 8 bits, padded to the largest, and the boxes in their pixels.

    Why: the loader's workers then slice, flip, collate and copy clips at the video's own size
    (3.5× fewer bytes for 212×120 video at the paper's 224 px), which is what keeps a GPU fed.
    """
    rows = [tuple(size) for size in sizes.tolist()]
    targets = {size: resized_size(*size, short_side) for size in set(rows)}
    if len(targets) == 1:  # one video size (the usual case): no gather, no scale table to copy over
        ((h, w), (new_h, new_w)), = targets.items()
        moved = boxes.clone()
        moved[:, 1::2] *= new_w / w
        moved[:, 2::2] *= new_h / h
        return _resized(clips[..., :h, :w], new_h, new_w), moved
    height = max(h for h, _ in targets.values())
    width = max(w for _, w in targets.values())
    out = torch.zeros((*clips.shape[:3], height, width), dtype=torch.float32, device=clips.device)
    scale = torch.ones(len(rows), 4, dtype=torch.float64)
    for (h, w), (new_h, new_w) in targets.items():
        members = [i for i, size in enumerate(rows) if size == (h, w)]
        index = torch.tensor(members, device=clips.device)
        out[index, :, :, :new_h, :new_w] = _resized(clips.index_select(0, index)[..., :h, :w], new_h, new_w)
        scale[members] = torch.tensor([new_w / w, new_h / h, new_w / w, new_h / h], dtype=torch.float64)
    scale = scale.to(device=boxes.device, dtype=boxes.dtype)
    moved = boxes.clone()
    moved[:, 1:] *= scale[boxes[:, 0].long()]
    return out, moved


def _resized(clips: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """uint8 (U, 3, T, h, w) → float (U, 3, T, height, width), bilinear per frame."""
    clips = clips.float()
    if clips.shape[-2:] == (height, width):
        return clips
    # Trilinear with the frame count kept is bilinear per frame, without a permuted copy.
    return F.interpolate(clips, size=(clips.shape[2], height, width), mode="trilinear", align_corners=False)
