import numpy as np
import torch

from wsad_core.data.transforms import (
    boxes_to_pixels,
    flip_boxes,
    frames_to_clip,
    normalise_clips,
    resize_clips,
    resize_frames,
)


def test_resize_scales_the_short_side_and_keeps_8_bits():
    frames = np.zeros((4, 120, 160, 3), dtype=np.uint8)
    resized = resize_frames(frames, 60)
    assert resized.shape == (4, 60, 80, 3) and resized.dtype == np.uint8
    assert resize_frames(resized, 60) is resized  # already the size: untouched


def test_resize_matches_bilinear_interpolation_to_half_a_grey_level():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (3, 30, 40, 3), dtype=np.uint8)
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(frames).permute(0, 3, 1, 2).float(), size=(45, 60), mode="bilinear", align_corners=False
    ).permute(0, 2, 3, 1)
    assert float((torch.from_numpy(resize_frames(frames, 45)).float() - expected).abs().max()) <= 0.5


def test_a_box_follows_its_pixels_through_resize_and_flip():
    frames = np.zeros((2, 40, 60, 3), dtype=np.uint8)
    frames[:, 10:20, 5:15] = 255  # a white patch at x 5..15, y 10..20
    clip = frames_to_clip(resize_frames(frames, 80))  # ×2: 80 × 120
    assert clip.shape == (3, 2, 80, 120)
    box = boxes_to_pixels(np.array([[5 / 60, 10 / 40, 15 / 60, 20 / 40]]), 80, 120)
    assert np.allclose(box, [[10, 20, 30, 40]])
    flipped, flipped_box = clip.flip(-1), flip_boxes(box, clip.shape[-1])
    x1, y1, x2, y2 = flipped_box[0].astype(int)
    assert (x1, x2) == (90, 110)
    assert flipped[0, 0, y1 + 2 : y2 - 2, x1 + 2 : x2 - 2].min() > 230  # the patch is still under its box
    assert flipped[0, 0, :, : x1 - 2].max() < 25


def test_normalise_uses_per_channel_mean_and_std_on_8_bit_clips():
    clips = torch.full((2, 3, 1, 2, 2), 51, dtype=torch.uint8)  # 0.2 in [0, 1]
    out = normalise_clips(clips, (0.2, 0.1, 0.0), (1.0, 0.5, 0.25))
    assert out.dtype == torch.float32 and out.shape == clips.shape
    assert torch.allclose(out[0, :, 0, 0, 0], torch.tensor([0.0, 0.2, 0.8]), atol=1e-6)
    assert clips[0, 0, 0, 0, 0] == 51  # the input is not modified


def test_a_batch_resized_on_the_device_matches_each_clip_resized_alone_and_moves_its_boxes():
    """Two videos of other sizes in one padded batch: every clip is resized from its own
    pixels (not the padding), as the loader would resize it, and every box with its clip."""
    rng = np.random.default_rng(1)
    small = rng.integers(0, 256, (2, 3, 30, 40, 3), dtype=np.uint8)  # clips of (T, H, W, 3) frames
    wide = rng.integers(0, 256, (1, 3, 20, 50, 3), dtype=np.uint8)
    clips = torch.zeros((3, 3, 3, 30, 50), dtype=torch.uint8)
    clips[:2, :, :, :30, :40] = torch.from_numpy(small).permute(0, 4, 1, 2, 3)
    clips[2, :, :, :20, :50] = torch.from_numpy(wide[0]).permute(3, 0, 1, 2)
    sizes = torch.tensor([[30, 40], [30, 40], [20, 50]])
    boxes = torch.tensor([[0, 4.0, 3, 20, 30], [2, 10, 2, 50, 20], [1, 0, 0, 40, 30]])
    resized, moved = resize_clips(clips, sizes, boxes, 60)
    assert resized.dtype == torch.float32 and resized.shape == (3, 3, 3, 60, 150)
    for index, frames in [(0, small[0]), (1, small[1]), (2, wide[0])]:
        alone = frames_to_clip(resize_frames(frames, 60)).float()
        height, width = alone.shape[-2:]
        assert float((resized[index, :, :, :height, :width] - alone).abs().max()) <= 0.5
        assert float(resized[index, :, :, height:].abs().sum()) == 0
        assert float(resized[index, :, :, :, width:].abs().sum()) == 0
    assert torch.allclose(moved, torch.tensor([[0, 8.0, 6, 40, 60], [2, 30, 6, 150, 60], [1, 0, 0, 80, 60]]))
    assert torch.equal(boxes[0], torch.tensor([0, 4.0, 3, 20, 30]))  # the input is left as it was
