"""A torch Dataset of MIL bags: for each sampled tubelet, its clip around the centre frame.

Each tubelet is one clip with one box (the centre frame's), so a batch of B bags of up to M
tubelets is up to B·M clips; ``bag_index`` says which bag each clip belongs to. Videos are
opened once per worker process and kept open (small ones decoded once into memory),
not once per clip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from wsad_core.data.video_cache import DecodedVideo, VideoCache
from wsad_core.data.transforms import boxes_to_pixels, flip_clip, normalise, resize_clip
from wsad_core.mil.bags import Bag, BagSampler
from wsad_core.video import VideoReader


@dataclass(frozen=True)
class ClipSpec:
    """How clips are cut and shaped for a model preset."""

    frames: int  # frames of the fast pathway
    frame_stride: int  # 0: the centre frame repeated (a single-frame model, for ablations)
    short_side: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]


def load_clip(reader: VideoReader | DecodedVideo, centre: int, spec: ClipSpec) -> torch.Tensor:
    """The (3, T, H, W) clip around ``centre``, resized, in [0, 1] (not yet normalised)."""
    if spec.frame_stride == 0:
        raw = np.repeat(reader.read_frame(centre)[None], spec.frames, axis=0)
    else:
        raw = reader.read_clip(centre, spec.frames, spec.frame_stride)
    return resize_clip(raw, spec.short_side)[0]


class BagDataset(Dataset):
    """Bags → dicts of clips (M, 3, T, H, W), pixel boxes (M, 4) and bag targets (C,)."""

    def __init__(
        self,
        bags: Sequence[Bag],
        video_paths: Mapping[str, str | Path],
        label_names: Sequence[str],
        spec: ClipSpec,
        sampler: BagSampler,
        *,
        train: bool = True,
        flip_probability: float = 0.5,
    ) -> None:
        self.bags = [bag for bag in bags if not bag.empty]
        self.video_paths = {name: str(path) for name, path in video_paths.items()}
        self.label_index = {name: i for i, name in enumerate(label_names)}
        self.spec = spec
        self.sampler = sampler
        self.train = train
        self.flip_probability = flip_probability if train else 0.0
        self.epoch = 0
        self._videos = VideoCache()

    def set_epoch(self, epoch: int) -> None:
        """Draw other tubelets from each bag (and other flips) in the next epoch."""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.bags)

    def targets(self, bag: Bag) -> torch.Tensor:
        target = torch.zeros(len(self.label_index))
        for name in bag.labels:
            if name in self.label_index:
                target[self.label_index[name]] = 1.0
        return target

    def _reader(self, video: str) -> VideoReader | DecodedVideo:
        return self._videos.get(self.video_paths[video])

    def __getitem__(self, index: int) -> dict[str, object]:
        bag = self.bags[index]
        tubelets = self.sampler.sample(bag, epoch=self.epoch, index=index)
        rng = np.random.default_rng([self.sampler.seed, self.epoch, index, 1])
        reader = self._reader(bag.video)
        clips, boxes = [], []
        for tubelet in tubelets:
            clip = load_clip(reader, tubelet.centre_frame, self.spec)
            box = boxes_to_pixels(tubelet.centre_box[None], *clip.shape[-2:])
            if rng.random() < self.flip_probability:
                clip, box = flip_clip(clip, box)
            clips.append(normalise(clip, self.spec.mean, self.spec.std))
            boxes.append(torch.from_numpy(box[0]).float())
        return {
            "clips": torch.stack(clips),
            "boxes": torch.stack(boxes),
            "targets": self.targets(bag),
            "bag_id": bag.clip_id,
            "centre_frames": torch.tensor([t.centre_frame for t in tubelets]),
        }

    def __del__(self) -> None:
        self._videos.close()


@dataclass
class BagBatch:
    clips: torch.Tensor  # (N, 3, T, H, W): every sampled tubelet of every bag
    boxes: torch.Tensor  # (N, 5): clip index, x1, y1, x2, y2 in pixels
    bag_index: torch.Tensor  # (N,): which bag each clip belongs to
    slot: torch.Tensor  # (N,): position of the clip inside its bag
    mask: torch.Tensor  # (B, M): real tubelets
    targets: torch.Tensor  # (B, C)

    def to(self, device: torch.device | str) -> BagBatch:
        return BagBatch(*(t.to(device, non_blocking=True) for t in
                          (self.clips, self.boxes, self.bag_index, self.slot, self.mask, self.targets)))

    def pad(self, values: torch.Tensor) -> torch.Tensor:
        """(N, C) per-clip values → (B, M, C) per bag, zeros where ``mask`` is False."""
        out = values.new_zeros((*self.mask.shape, values.shape[-1]))
        out[self.bag_index, self.slot] = values
        return out


def _pad_to(clips: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Pad (M, 3, T, h, w) on the right and bottom; pixel boxes stay where they are."""
    return torch.nn.functional.pad(clips, (0, width - clips.shape[-1], 0, height - clips.shape[-2]))


def collate_bags(items: Sequence[dict[str, object]]) -> BagBatch:
    """Stack the clips of several bags (videos of other sizes are padded to the largest)."""
    sizes = [len(item["clips"]) for item in items]
    height = max(item["clips"].shape[-2] for item in items)
    width = max(item["clips"].shape[-1] for item in items)
    clips = torch.cat([_pad_to(item["clips"], height, width) for item in items])
    boxes = torch.cat([item["boxes"] for item in items])
    bag_index = torch.repeat_interleave(torch.arange(len(items)), torch.tensor(sizes))
    slot = torch.cat([torch.arange(n) for n in sizes])
    mask = torch.zeros(len(items), max(sizes), dtype=torch.bool)
    mask[bag_index, slot] = True
    numbered = torch.cat([torch.arange(len(clips), dtype=boxes.dtype)[:, None], boxes], dim=1)
    return BagBatch(clips, numbered, bag_index, slot, mask, torch.stack([item["targets"] for item in items]))
