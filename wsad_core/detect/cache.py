"""The detection cache: results per (video content, detector configuration).

Layout: ``cache/detections/<set>/config.json`` describes a detector configuration;
``<set>/<fingerprint>.npz`` holds one video's boxes (normalised to [0, 1]), scores and
frame indices. While a video is being processed its finished chunks wait in
``<set>/<fingerprint>.parts/``, so an interrupted run resumes where it stopped. Each
writer writes only its own videos' files, so shards never collide.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wsad_core.files import atomic_output
from wsad_core.tubes import FrameDetections


def detection_set_key(identity: dict[str, object]) -> str:
    """A stable folder name for a detector configuration, readable and unique."""
    canonical = json.dumps(identity, sort_keys=True, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return f"{identity.get('detector', 'detector')}-{digest}"


def _safe(fingerprint: str) -> str:
    return fingerprint.replace(":", "_").replace("/", "_")


def _save_npz(path: Path, frames: np.ndarray, boxes: np.ndarray, scores: np.ndarray) -> None:
    """Atomically, through a temporary file of this writer's own (runs side by side fill one cache)."""
    with atomic_output(path, force=True) as temp, temp.open("wb") as handle:
        np.savez(handle, frames=frames.astype(np.int64), boxes=boxes.astype(np.float32), scores=scores.astype(np.float32))


def _load_npz(path: Path) -> FrameDetections:
    with np.load(path) as data:
        return FrameDetections(data["frames"], data["boxes"].astype(np.float64), data["scores"].astype(np.float64))


@dataclass(frozen=True)
class DetectionSet:
    """One detector configuration's results in a project's cache."""

    folder: Path

    @classmethod
    def create(cls, cache_dir: Path, identity: dict[str, object]) -> DetectionSet:
        folder = cache_dir / "detections" / detection_set_key(identity)
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "config.json"
        if not config.exists():
            with atomic_output(config, force=True) as temp:
                temp.write_text(json.dumps(identity, indent=2, sort_keys=True, default=str))
        return cls(folder)

    @property
    def key(self) -> str:
        return self.folder.name

    @property
    def identity(self) -> dict[str, object]:
        return json.loads((self.folder / "config.json").read_text())

    def has(self, fingerprint: str) -> bool:
        return (self.folder / f"{_safe(fingerprint)}.npz").is_file()

    def lacking(self, fingerprints: Iterable[str]) -> list[str]:
        """The fingerprints without a finished result, from one listing of the folder (a project
        of thousands of videos would otherwise cost a file lookup each)."""
        done = {name[: -len(".npz")] for name in os.listdir(self.folder) if name.endswith(".npz")}
        return [fingerprint for fingerprint in fingerprints if _safe(fingerprint) not in done]

    def load(self, fingerprint: str) -> FrameDetections | None:
        path = self.folder / f"{_safe(fingerprint)}.npz"
        return _load_npz(path) if path.is_file() else None

    def save(self, fingerprint: str, detections: FrameDetections) -> None:
        _save_npz(self.folder / f"{_safe(fingerprint)}.npz", detections.frames, detections.boxes, detections.scores)

    def _parts(self, fingerprint: str) -> Path:
        return self.folder / f"{_safe(fingerprint)}.parts"

    def has_chunk(self, fingerprint: str, start: int) -> bool:
        return (self._parts(fingerprint) / f"{start:09d}.npz").is_file()

    def save_chunk(self, fingerprint: str, start: int, detections: FrameDetections) -> None:
        parts = self._parts(fingerprint)
        parts.mkdir(exist_ok=True)
        _save_npz(parts / f"{start:09d}.npz", detections.frames, detections.boxes, detections.scores)

    def finish(self, fingerprint: str) -> FrameDetections:
        """Merge a video's chunks into its result file and drop the chunks."""
        parts = sorted(self._parts(fingerprint).glob("*.npz")) if self._parts(fingerprint).is_dir() else []
        loaded = [_load_npz(part) for part in parts]
        merged = FrameDetections(
            np.concatenate([d.frames for d in loaded]) if loaded else np.zeros(0, np.int64),
            np.concatenate([d.boxes for d in loaded]) if loaded else np.zeros((0, 4)),
            np.concatenate([d.scores for d in loaded]) if loaded else np.zeros(0),
        )
        self.save(fingerprint, merged)
        shutil.rmtree(self._parts(fingerprint), ignore_errors=True)
        return merged


def detection_sets(cache_dir: Path) -> list[DetectionSet]:
    root = cache_dir / "detections"
    if not root.is_dir():
        return []
    return [DetectionSet(folder) for folder in sorted(root.iterdir()) if (folder / "config.json").is_file()]
