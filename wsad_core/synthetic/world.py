"""A whole synthetic data set on disk: videos, ground truth, detections, weak labels.

Every file except the MP4s is a pure function of (config, seed) and comes out byte for
byte the same; the videos decode to the same frames. Each video draws from its own
random streams (scene, detector), so changing e.g. the detector's recall leaves the
scenes and videos unchanged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wsad_core.errors import WsadError
from wsad_core.files import atomic_output
from wsad_core.formats import (
    AvaRow,
    ClipLabelRow,
    UcfAnnotations,
    UcfVideo,
    write_ava_csv,
    write_clip_labels_csv,
    write_label_map,
    write_ucf24_act,
)
from wsad_core.synthetic.config import WorldConfig, get_preset
from wsad_core.synthetic.detector import simulate_detections
from wsad_core.synthetic.export import (
    ava_rows,
    class_names,
    detection_rows,
    label_map_entries,
    person_box_rows,
    tubes_record,
    ucf_video,
)
from wsad_core.synthetic.render import render_frames
from wsad_core.synthetic.scene import VideoScene, simulate_video
from wsad_core.synthetic.weak_labels import weak_label_rows
from wsad_core.video import write_video

SPLITS: tuple[str, ...] = ("train", "val", "test")
#: Incremented whenever the same preset and seed generate other videos or labels, so that results
#: measured on an older world are not mixed with new ones. 2 (session 8): the way to and from a
#: limb action is unlabelled.
WORLD_VERSION = 2

FILES: dict[str, str] = {
    "label_map": "label_map.pbtxt",
    "gt_keyframes": "gt_keyframes.csv",
    "gt_frames": "gt_frames.csv",
    "gt_person_boxes": "gt_person_boxes.csv",
    "tubes": "tubes.json",
    "ucf_tubes": "ucf_tubes.pkl",
    "detections": "detections.csv",
    "weak_labels_video": "weak_labels_video.csv",
    "manifest": "manifest.json",
}
_SCENE_STREAM, _DETECTOR_STREAM, _SPLIT_STREAM, _TUNED_DETECTOR_STREAM = 0, 1, 2, 3


@dataclass(frozen=True)
class WorldVideo:
    """One generated video as listed in ``manifest.json``."""

    video_id: str
    split: str
    duration: float
    frames: int
    fps: int
    width: int
    height: int
    people: int
    actors: int

    @property
    def file(self) -> str:
        return f"videos/{self.video_id}.mp4"


@dataclass
class WorldManifest:
    """What :func:`generate_world` wrote; ``files`` maps a role to a path relative to ``out_dir``."""

    out_dir: Path
    preset: str
    seed: int
    config: WorldConfig
    videos: list[WorldVideo]
    files: dict[str, str] = field(default_factory=dict)
    version: int = WORLD_VERSION  # the generator's WORLD_VERSION (1 for manifests that predate it)

    def path(self, role: str) -> Path:
        """Absolute path of the file with ``role`` (a key of :data:`FILES`)."""
        return self.out_dir / self.files[role]

    def to_dict(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "seed": self.seed,
            "world_version": self.version,
            "config": self.config.to_dict(),
            "files": dict(self.files),
            "videos": [{**vars(video), "file": video.file} for video in self.videos],
        }


def read_manifest(out_dir: str | Path) -> WorldManifest:
    """Load the manifest of a generated world."""
    out_dir = Path(out_dir)
    data = json.loads((out_dir / FILES["manifest"]).read_text(encoding="utf-8"))
    videos = [WorldVideo(**{k: v for k, v in item.items() if k != "file"}) for item in data["videos"]]
    config = WorldConfig.from_dict(data["config"])
    return WorldManifest(out_dir, data["preset"], data["seed"], config, videos, data["files"],
                         data.get("world_version", 1))


def assign_splits(count: int, fractions: tuple[float, float, float], seed: int) -> list[str]:
    """Split names for ``count`` videos: the counts follow ``fractions``, the order is a
    seeded shuffle, so a video's split depends only on the seed and the count."""
    sizes = [round(f * count) for f in fractions[:2]]
    sizes.append(count - sum(sizes))
    if sizes[2] < 0:
        sizes[1] += sizes[2]
        sizes[2] = 0
    names = [name for name, size in zip(SPLITS, sizes) for _ in range(size)]
    order = np.random.default_rng([seed, _SPLIT_STREAM]).permutation(count)
    return [names[int(position)] for position in np.argsort(order)]


def video_rng(seed: int, index: int, stream: int) -> np.random.Generator:
    """The random stream ``stream`` of video number ``index``."""
    return np.random.default_rng([seed, index, stream])


def scene_rng(seed: int, index: int) -> np.random.Generator:
    """What video number ``index`` of the world of ``seed`` is simulated from."""
    return video_rng(seed, index, _SCENE_STREAM)


def detector_rng(seed: int, index: int) -> np.random.Generator:
    """What the simulated detector's output on video number ``index`` is drawn from: another
    stream than the scene's, so detector settings can change without changing the videos."""
    return video_rng(seed, index, _DETECTOR_STREAM)


def tuned_detector_rng(seed: int, index: int) -> np.random.Generator:
    """The stream of a second simulated detector on video number ``index`` (one fine-tuned on
    the annotated actors, which evaluation may use): independent of the world's own."""
    return video_rng(seed, index, _TUNED_DETECTOR_STREAM)


def _write_mp4(path: Path, scene: VideoScene, config: WorldConfig, force: bool) -> None:
    if path.exists() and not force:
        raise WsadError(f"{path}: already exists (use --force to overwrite)")
    partial = path.with_name(f".{path.stem}.partial.mp4")
    write_video(partial, render_frames(scene), fps=scene.fps, crf=config.crf)
    os.replace(partial, path)


@dataclass
class _Annotations:
    """Rows of every annotation file, gathered video by video."""

    gt: list[AvaRow] = field(default_factory=list)
    gt_frames: list[AvaRow] = field(default_factory=list)
    person_boxes: list[AvaRow] = field(default_factory=list)
    detections: list[AvaRow] = field(default_factory=list)
    weak: list[ClipLabelRow] = field(default_factory=list)
    tubes: dict[str, Any] = field(default_factory=dict)
    ucf: dict[str, UcfVideo] = field(default_factory=dict)

    def add(self, scene: VideoScene, config: WorldConfig, split: str, detector_rng: np.random.Generator) -> None:
        self.gt += ava_rows(scene, hz=config.keyframe_hz)
        if config.every_frame_gt:
            self.gt_frames += ava_rows(scene, every_frame=True)
        self.person_boxes += person_box_rows(scene)
        found = simulate_detections(
            scene, detector_rng, recall=config.recall, precision=config.precision,
            jitter=config.jitter, dropout_frames=config.dropout_frames,
        )
        self.detections += detection_rows(scene, found)
        self.weak += weak_label_rows(scene)
        self.tubes[scene.video_id] = tubes_record(scene, split)
        self.ucf[scene.video_id] = ucf_video(scene, split if split != "val" else None)

    def write(self, out_dir: Path, files: dict[str, str], config: WorldConfig, force: bool) -> None:
        labels = [{"id": entry.id, "name": entry.name} for entry in label_map_entries(config.classes)]
        ucf = UcfAnnotations(class_names(config.classes), self.ucf, "act")
        writers: dict[str, Callable[[Path], None]] = {
            "label_map": lambda p: write_label_map(label_map_entries(config.classes), p),
            "gt_keyframes": lambda p: write_ava_csv(self.gt, p),
            "gt_frames": lambda p: write_ava_csv(self.gt_frames, p),
            "gt_person_boxes": lambda p: write_ava_csv(self.person_boxes, p),
            "tubes": lambda p: p.write_text(json.dumps({"labels": labels, "videos": self.tubes}), encoding="utf-8"),
            "ucf_tubes": lambda p: write_ucf24_act(ucf, p),
            "detections": lambda p: write_ava_csv(self.detections, p),
            "weak_labels_video": lambda p: write_clip_labels_csv(self.weak, p),
        }
        for role, write in writers.items():
            if role in files:
                with atomic_output(out_dir / files[role], force=force) as temp:
                    write(temp)


def generate_world(
    config: WorldConfig | str,
    out_dir: str | Path,
    seed: int = 0,
    *,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> WorldManifest:
    """Generate a world from a :class:`WorldConfig` or a preset name into ``out_dir``.

    ``progress(done, total, video_id)`` is called after each video. Existing files
    are only replaced with ``force``; the manifest is written last, so a world with a
    manifest is complete.
    """
    if isinstance(config, str):
        config = get_preset(config)
    out_dir = Path(out_dir)
    if (out_dir / FILES["manifest"]).exists() and not force:
        raise WsadError(f"{out_dir}: already holds a generated world (use --force to overwrite)")
    (out_dir / "videos").mkdir(parents=True, exist_ok=True)
    splits = assign_splits(config.videos, config.splits, seed)
    annotations = _Annotations()
    videos: list[WorldVideo] = []
    for index in range(config.videos):
        video_id = f"synth_{index:04d}"
        scene = simulate_video(config, scene_rng(seed, index), video_id)
        _write_mp4(out_dir / "videos" / f"{video_id}.mp4", scene, config, force)
        annotations.add(scene, config, splits[index], detector_rng(seed, index))
        actors = sum(not figure.bystander for figure in scene.figures)
        videos.append(WorldVideo(
            video_id, splits[index], round(scene.duration, 6), scene.nframes, scene.fps,
            scene.width, scene.height, len(scene.figures), actors,
        ))
        if progress is not None:
            progress(index + 1, config.videos, video_id)
    files = {role: name for role, name in FILES.items() if role != "gt_frames" or config.every_frame_gt}
    annotations.write(out_dir, files, config, force)
    manifest = WorldManifest(out_dir, config.name, seed, config, videos, files)
    with atomic_output(out_dir / files["manifest"], force=force) as temp:
        temp.write_text(json.dumps(manifest.to_dict(), indent=2) + "\n", encoding="utf-8")
    return manifest
