"""Scoring person boxes with a trained run: class probabilities and uncertainties σ².

An instance is a person box on one frame (from the track that covers it), read by the model
with the clip centred on that frame, as the RoI head was trained to read tubelet centres.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from wsad_core.data.bags_dataset import ClipSpec, load_clip
from wsad_core.data.video_cache import VideoCache
from wsad_core.data.transforms import boxes_to_pixels, normalise_clips
from wsad_core.model import ActionDetector, ModelPreset, build_model, get_preset, pack_pathways, preset_from_dict
from wsad_core.project import Project
from wsad_core.train.checkpoint import load_checkpoint
from wsad_core.train.config import TrainConfig, load_config
from wsad_core.tubes import Tubelet


@dataclass(frozen=True)
class FrameInstance:
    video: str
    frame: int
    track_id: int
    box: np.ndarray  # (4,) normalised x1 y1 x2 y2


@dataclass(frozen=True)
class ScoredInstance:
    instance: FrameInstance
    probabilities: np.ndarray  # (C,)
    variance: np.ndarray | None  # (C,) σ² = exp(v), None without an uncertainty head


def frame_instances(
    tubelets: Mapping[str, Sequence[Tubelet]], frames: Mapping[str, Iterable[int]]
) -> list[FrameInstance]:
    """One instance per (frame, track) for the requested frames of each video."""
    instances = []
    for video, wanted in frames.items():
        by_frame: dict[int, dict[int, np.ndarray]] = {int(f): {} for f in wanted}
        for tubelet in tubelets.get(video, ()):
            first, last = int(tubelet.frames[0]), int(tubelet.frames[-1])
            for frame in range(first, last + 1):
                tracks = by_frame.get(frame)
                if tracks is not None and tubelet.track_id not in tracks:
                    tracks[tubelet.track_id] = tubelet.boxes[frame - first]
        for frame, tracks in sorted(by_frame.items()):
            instances.extend(FrameInstance(video, frame, track, box) for track, box in sorted(tracks.items()))
    return instances


def load_run_model(
    project: Project, run: int | str, device: str = "cpu", *, checkpoint: Path | None = None
) -> tuple[ActionDetector, ModelPreset, list[str], TrainConfig]:
    """The run's model from its last checkpoint, or ``checkpoint`` (loaded with weights_only),
    built with the preset stored in the checkpoint (older checkpoints: the preset of that name)."""
    run_dir = project.run_dir(run)
    config = load_config(run_dir / "config.yaml")
    state = load_checkpoint(checkpoint or run_dir / "checkpoints" / "last.pt")
    preset = preset_from_dict(state["preset"]) if "preset" in state else get_preset(config.model)
    labels = list(state["labels"])
    model = build_model(preset, len(labels), uncertainty=config.loss == "uncertainty")
    model.load_state_dict(state["model"])
    return model.to(device).eval(), preset, labels, config


def clip_spec(preset: ModelPreset, frame_stride: int | None = None) -> ClipSpec:
    stride = preset.frame_stride if frame_stride is None else frame_stride
    return ClipSpec(preset.fast_frames, stride, preset.crop_size, preset.mean, preset.std)


@torch.inference_mode()
def score_instances(
    model: ActionDetector,
    preset: ModelPreset,
    instances: Sequence[FrameInstance],
    video_paths: Mapping[str, str],
    *,
    batch_size: int = 8,
    frame_stride: int | None = None,
    device: str | torch.device | None = None,
    progress: Callable[[int, int], None] | None = None,
    video_cache: VideoCache | None = None,
) -> list[ScoredInstance]:
    """Scores in the order of ``instances``. Instances on the same frame of a video share one
    decoded clip (the RoI head reads each box from it); ``batch_size`` counts clips; ``device``
    defaults to the one the model is on. ``video_cache``: a cache the caller keeps, so that scoring
    the same videos again (validation every epoch) decodes none of them again; by default one
    is made for this call and emptied after it."""
    if device is None:
        device = next(model.parameters()).device
    spec = clip_spec(preset, frame_stride)
    groups: dict[tuple[str, int], list[int]] = {}
    for index, instance in enumerate(instances):
        groups.setdefault((instance.video, instance.frame), []).append(index)
    keys = list(groups)
    results: list[ScoredInstance | None] = [None] * len(instances)
    done = 0
    videos = VideoCache() if video_cache is None else video_cache
    try:
        for start in range(0, len(keys), batch_size):
            clips, boxes, members = [], [], []
            for clip_index, (video, frame) in enumerate(keys[start : start + batch_size]):
                clip = load_clip(videos.get(video_paths[video], spec.short_side), frame, spec)
                clips.append(clip)
                for member in groups[(video, frame)]:
                    box = boxes_to_pixels(instances[member].box[None], *clip.shape[-2:])[0]
                    boxes.append([clip_index, *box])
                    members.append(member)
            slow, fast = pack_pathways(normalise_clips(torch.stack(clips).to(device), spec.mean, spec.std), preset)
            logits, log_var = model(slow, fast, torch.tensor(boxes, dtype=torch.float32, device=device))
            probabilities = torch.sigmoid(logits.float()).cpu().numpy()
            variances = None if log_var is None else torch.exp(log_var.float()).cpu().numpy()
            for row, member in enumerate(members):
                results[member] = ScoredInstance(
                    instances[member], probabilities[row], None if variances is None else variances[row]
                )
            done += len(members)
            if progress is not None:
                progress(done, len(instances))
    finally:
        if video_cache is None:
            videos.close()
    return [r for r in results if r is not None]
