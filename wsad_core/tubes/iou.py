"""Intersection over union of boxes (torchvision) and of tubes (boxes over frames).

Boxes are ``(x1, y1, x2, y2)`` in any consistent unit, without the +1 pixel convention;
evaluation code that needs ACT's +1 convention applies it itself.
"""

from __future__ import annotations

import numpy as np


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of (N, 4) and (M, 4) boxes, as an (N, M) float64 array."""
    # Imported here: the studio reads detection caches through this package and must not pay
    # for loading torch (seconds) at start-up.
    import torch
    from torchvision.ops import box_iou as torch_box_iou

    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    return torch_box_iou(torch.from_numpy(a), torch.from_numpy(b)).numpy()


def paired_box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of a[i] with b[i] for two (N, 4) arrays."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    width = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    height = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = width * height
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def temporal_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """IoU of two inclusive frame ranges ``(first, last)``."""
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if inter <= 0:
        return 0.0
    union = max(a[1], b[1]) - min(a[0], b[0]) + 1
    return inter / union


def tube_iou(
    frames_a: np.ndarray, boxes_a: np.ndarray, frames_b: np.ndarray, boxes_b: np.ndarray
) -> float:
    """Spatio-temporal IoU: temporal IoU of the spans × mean box IoU over shared frames."""
    frames_a, frames_b = np.asarray(frames_a), np.asarray(frames_b)
    t_iou = temporal_iou((frames_a.min(), frames_a.max()), (frames_b.min(), frames_b.max()))
    if t_iou == 0:
        return 0.0
    shared, index_a, index_b = np.intersect1d(frames_a, frames_b, return_indices=True)
    if len(shared) == 0:
        return 0.0
    return t_iou * float(paired_box_iou(boxes_a[index_a], boxes_b[index_b]).mean())
