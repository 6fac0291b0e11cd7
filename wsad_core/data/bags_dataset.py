"""A torch Dataset of MIL bags: for each sampled tubelet, its box on the clip around its centre frame.

Each sampled tubelet is one box read on the clip centred on the tubelet's centre frame. Tubelets
of one item that share a centre frame share one decoded clip, and the model reads all their
boxes from it with RoIAlign (as SlowFast's AVA detector reads every person of a keyframe from
one clip): the fully supervised baseline groups the people of a keyframe into one item, so a
batch costs one clip per keyframe, not one per person. ``clip_index`` says which clip each box
is read on, ``bag_index`` which bag it belongs to. Videos are opened once per worker process
and kept open (small ones decoded once into memory), not once per clip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from wsad_core.data.video_cache import DecodedVideo, Preloaded, VideoCache
from wsad_core.data.transforms import boxes_to_pixels, flip_boxes, frames_to_clip, resize_frames
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


def load_clip(
    reader: VideoReader | DecodedVideo, centre: int, spec: ClipSpec, *, resize: bool = True
) -> torch.Tensor:
    """The (3, T, H, W) uint8 clip around ``centre``, resized to the spec's short side
    (``resize=False``: at the size the reader gives, for :func:`~wsad_core.data.transforms.resize_clips`).

    Normalise batches of them with :func:`~wsad_core.data.transforms.normalise_clips`.
    """
    if spec.frame_stride == 0:
        raw = np.repeat(reader.read_frame(centre)[None], spec.frames, axis=0)
    else:
        raw = reader.read_clip(centre, spec.frames, spec.frame_stride)
    return frames_to_clip(resize_frames(raw, spec.short_side) if resize else raw)


def group_by_centre(bags: Sequence[Bag]) -> list[list[int]]:
    """Indices of bags of one tubelet grouped by (video, centre frame), in first-seen order.

    Used for the fully supervised baseline, whose instances are the people of a keyframe:
    one item per keyframe reads one clip for all of them.
    """
    groups: dict[tuple[str, int], list[int]] = {}
    for index, bag in enumerate(bags):
        if len(bag.tubelets) != 1:
            raise ValueError("only bags of one tubelet can be grouped by centre frame")
        groups.setdefault((bag.video, bag.tubelets[0].centre_frame), []).append(index)
    return list(groups.values())


class BagDataset(Dataset):
    """Items of one or more bags → uint8 clips (U, 3, T, H, W), pixel boxes (M, 4), the clip each box
    is read on (M,), the bag each box belongs to (M,) and bag targets (B, C).

    By default an item is one bag; ``groups`` (lists of bag indices, e.g. from
    :func:`group_by_centre`) makes each listed group one item instead. With
    ``resize_in_loader=False`` clips and boxes stay at each video's own size (and the videos
    are cached at it), for the training device to resize whole batches
    (:func:`~wsad_core.data.transforms.resize_clips`).
    """

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
        groups: Sequence[Sequence[int]] | None = None,
        cache_bytes: int | None = None,
        resize_in_loader: bool = True,
    ) -> None:
        if groups is None:
            self.bags = [bag for bag in bags if not bag.empty]
            self.items = [[i] for i in range(len(self.bags))]
        else:
            self.bags = list(bags)
            self.items = [[i for i in group if not self.bags[i].empty] for group in groups]
            self.items = [group for group in self.items if group]
        self.video_paths = {name: str(path) for name, path in video_paths.items()}
        self.label_index = {name: i for i, name in enumerate(label_names)}
        self.spec = spec
        self.sampler = sampler
        self.train = train
        self.flip_probability = flip_probability if train else 0.0
        self.epoch = 0
        self.resize_in_loader = resize_in_loader
        self._decode_side = spec.short_side if resize_in_loader else None
        self._videos = VideoCache() if cache_bytes is None else VideoCache(budget_bytes=cache_bytes)

    @property
    def cache_budget(self) -> int:
        """Bytes of decoded video this dataset keeps in memory at most."""
        return self._videos.budget

    def preload(self, threads: int = 1) -> Preloaded:
        """Decode the dataset's videos now (as many as the cache budget holds), on ``threads``
        threads; says what is held. Loader workers forked afterwards share them."""
        videos = dict.fromkeys(self.bags[i].video for item in self.items for i in item)
        return self._videos.preload([self.video_paths[v] for v in videos], self._decode_side, threads)

    def set_epoch(self, epoch: int) -> None:
        """Draw other tubelets from each bag (and other flips) in the next epoch."""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.items)

    def targets(self, bag: Bag) -> torch.Tensor:
        target = torch.zeros(len(self.label_index))
        for name in bag.labels:
            if name in self.label_index:
                target[self.label_index[name]] = 1.0
        return target

    def _reader(self, video: str) -> VideoReader | DecodedVideo:
        return self._videos.get(self.video_paths[video], self._decode_side)

    def __getitem__(self, index: int | tuple[int, int]) -> dict[str, object]:
        """Item ``index`` as drawn in the epoch of :meth:`set_epoch`, or in ``epoch`` when
        asked as ``(epoch, index)`` (what a loader whose workers outlive an epoch asks)."""
        epoch, index = index if isinstance(index, tuple) else (self.epoch, index)
        members = [self.bags[i] for i in self.items[index]]
        videos = {bag.video for bag in members}
        if len(videos) != 1:
            raise ValueError(f"item {index} mixes videos {sorted(videos)}")
        reader = self._reader(members[0].video)
        flip = np.random.default_rng([self.sampler.seed, epoch, index, 1]).random() < self.flip_probability
        clip_of_centre: dict[int, int] = {}
        clips, boxes, clip_index, bag_of_box, centres = [], [], [], [], []
        for local, bag_id in enumerate(self.items[index]):
            for tubelet in self.sampler.sample(self.bags[bag_id], epoch=epoch, index=bag_id):
                centre = tubelet.centre_frame
                if centre not in clip_of_centre:
                    clip_of_centre[centre] = len(clips)
                    clips.append(load_clip(reader, centre, self.spec, resize=self.resize_in_loader))
                height, width = clips[clip_of_centre[centre]].shape[-2:]
                box = boxes_to_pixels(tubelet.centre_box[None], height, width)
                if flip:
                    box = flip_boxes(box, width)
                boxes.append(torch.from_numpy(box[0]).float())
                clip_index.append(clip_of_centre[centre])
                bag_of_box.append(local)
                centres.append(centre)
        if flip:
            clips = [clip.flip(-1) for clip in clips]
        return {
            "clips": torch.stack(clips),
            "boxes": torch.stack(boxes),
            "clip_index": torch.tensor(clip_index),
            "bag_of_box": torch.tensor(bag_of_box),
            "targets": torch.stack([self.targets(bag) for bag in members]),
            "bag_ids": [bag.clip_id for bag in members],
            "centre_frames": torch.tensor(centres),
        }

    def __del__(self) -> None:
        self._videos.close()


@dataclass
class BagBatch:
    clips: torch.Tensor  # (U, 3, T, H, W) uint8: one clip per distinct (item, centre frame)
    boxes: torch.Tensor  # (N, 5): clip index, x1, y1, x2, y2 in pixels; one row per sampled tubelet
    bag_index: torch.Tensor  # (N,): which bag each box belongs to
    slot: torch.Tensor  # (N,): position of the box inside its bag
    mask: torch.Tensor  # (B, M): real tubelets
    targets: torch.Tensor  # (B, C)
    # (U, 2): each clip's (height, width) inside its padding; it stays on the CPU, where
    # resize_clips reads it without waiting for the device.
    clip_sizes: torch.Tensor

    def _tensors(self) -> tuple[torch.Tensor, ...]:
        return self.clips, self.boxes, self.bag_index, self.slot, self.mask, self.targets

    def to(self, device: torch.device | str) -> BagBatch:
        return BagBatch(*(t.to(device, non_blocking=True) for t in self._tensors()), self.clip_sizes)

    def pin_memory(self) -> BagBatch:
        """Page-locked copies (the DataLoader's ``pin_memory``), so ``to(cuda)`` overlaps."""
        return BagBatch(*(t.pin_memory() for t in self._tensors()), self.clip_sizes)

    def pad(self, values: torch.Tensor) -> torch.Tensor:
        """(N, C) per-box values → (B, M, C) per bag, zeros where ``mask`` is False."""
        out = values.new_zeros((*self.mask.shape, values.shape[-1]))
        out[self.bag_index, self.slot] = values
        return out


def _pad_to(clips: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Pad (M, 3, T, h, w) on the right and bottom; pixel boxes stay where they are."""
    return torch.nn.functional.pad(clips, (0, width - clips.shape[-1], 0, height - clips.shape[-2]))


def collate_bags(items: Sequence[dict[str, object]]) -> BagBatch:
    """Stack the clips and boxes of several items (videos of other sizes are padded to the largest)."""
    height = max(item["clips"].shape[-2] for item in items)
    width = max(item["clips"].shape[-1] for item in items)
    clips = torch.cat([_pad_to(item["clips"], height, width) for item in items])
    clip_offsets = torch.tensor([0] + [len(item["clips"]) for item in items]).cumsum(0)
    bag_offsets = torch.tensor([0] + [len(item["targets"]) for item in items]).cumsum(0)
    clip_index = torch.cat([item["clip_index"] + clip_offsets[i] for i, item in enumerate(items)])
    bag_index = torch.cat([item["bag_of_box"] + bag_offsets[i] for i, item in enumerate(items)])
    bags = int(bag_offsets[-1])
    sizes = torch.bincount(bag_index, minlength=bags)
    order = torch.argsort(bag_index, stable=True)
    slot = torch.empty_like(bag_index)
    slot[order] = torch.arange(len(bag_index)) - torch.repeat_interleave(sizes.cumsum(0) - sizes, sizes)
    mask = torch.zeros(bags, int(sizes.max()), dtype=torch.bool)
    mask[bag_index, slot] = True
    boxes = torch.cat([item["boxes"] for item in items])
    numbered = torch.cat([clip_index[:, None].to(boxes.dtype), boxes], dim=1)
    sizes = torch.tensor([list(item["clips"].shape[-2:]) for item in items for _ in range(len(item["clips"]))])
    return BagBatch(clips, numbered, bag_index, slot, mask, torch.cat([item["targets"] for item in items]), sizes)
