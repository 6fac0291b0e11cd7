import numpy as np
import torch

from wsad_core.data.transforms import boxes_to_pixels, flip_clip, normalise, resize_clip


def test_resize_scales_the_short_side_and_reports_the_factor():
    clip = np.zeros((4, 120, 160, 3), dtype=np.uint8)
    resized, scale = resize_clip(clip, 60)
    assert resized.shape == (3, 4, 60, 80) and scale == 0.5
    assert resized.dtype == torch.float32


def test_a_box_follows_its_pixels_through_resize_and_flip():
    clip = np.zeros((2, 40, 60, 3), dtype=np.uint8)
    clip[:, 10:20, 5:15] = 255  # a white patch at x 5..15, y 10..20
    resized, _ = resize_clip(clip, 80)  # ×2: 80 × 120
    box = boxes_to_pixels(np.array([[5 / 60, 10 / 40, 15 / 60, 20 / 40]]), 80, 120)
    assert np.allclose(box, [[10, 20, 30, 40]])
    flipped, flipped_box = flip_clip(resized, box)
    x1, y1, x2, y2 = flipped_box[0].astype(int)
    inside = flipped[0, 0, y1 + 2 : y2 - 2, x1 + 2 : x2 - 2]
    assert inside.min() > 0.9  # the patch is still under its box after the flip
    assert flipped[0, 0, :, : x1 - 2].max() < 0.1


def test_normalise_uses_per_channel_mean_and_std():
    clip = torch.full((3, 1, 2, 2), 0.5)
    out = normalise(clip, (0.5, 0.25, 0.0), (1.0, 0.5, 0.25))
    assert torch.allclose(out[:, 0, 0, 0], torch.tensor([0.0, 0.5, 2.0]))
