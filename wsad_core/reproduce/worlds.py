"""The projects a reproduction trains in, one set per world seed.

``<out>/worlds/<preset>-seed<S>/main`` is the generated world imported as a project (whole-video
weak labels, the simulated detections). The detector-noise sweep adds detection sets to it,
re-simulated for the same scenes at another recall. Each sub-clip duration gets its own
project next to it (``subclip-<seconds>``) over the same video files, since a run trains on
every labelled clip of its project. Finished steps leave a ``reproduce.json`` note, so an
interrupted build is redone and a finished one is reused.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from wsad_core.detect import import_precomputed
from wsad_core.formats import AvaRow, ClipLabelRow, write_ava_csv, write_clip_labels_csv
from wsad_core.project import Project, import_ava_ground_truth, import_clip_labels
from wsad_core.synthetic import WorldManifest, generate_world, read_manifest, simulate_detections, simulate_video
from wsad_core.synthetic.export import detection_rows
from wsad_core.synthetic.project_import import import_world
from wsad_core.synthetic.weak_labels import weak_label_rows
from wsad_core.synthetic.scene import VideoScene

# The random streams generate_world draws each video's scene and detections from: the
# same (seed, video, stream) gives the same scene, so detections can be redrawn alone.
from wsad_core.synthetic.world import detector_rng, scene_rng

_NOTE = "reproduce.json"


def _read_note(root: Path) -> dict | None:
    path = root / _NOTE
    return json.loads(path.read_text()) if path.is_file() else None


def _write_note(root: Path, note: dict) -> None:
    temp = root / f".{_NOTE}.partial"
    temp.write_text(json.dumps(note, indent=2))
    temp.replace(root / _NOTE)


def _fresh(path: Path) -> None:
    """Remove what an interrupted build left (only folders this module creates)."""
    if path.exists():
        shutil.rmtree(path)


@dataclass
class SeedWorld:
    """The generated world of one seed and the projects built on it."""

    root: Path
    preset: str
    seed: int

    @property
    def main_dir(self) -> Path:
        return self.root / "main"

    @property
    def world_dir(self) -> Path:
        return self.main_dir / "world"

    @cached_property
    def manifest(self) -> WorldManifest:
        return read_manifest(self.world_dir)

    @property
    def mean_video_seconds(self) -> float:
        videos = self.manifest.videos
        return sum(video.duration for video in videos) / len(videos)

    @property
    def video_gt(self) -> Path | None:
        """The UCF101-24 style tubes to score Video AP against, unless the project holds
        every-frame ground truth (then evaluation finds the tubes itself)."""
        return None if "gt_frames" in self.manifest.files else self.manifest.path("ucf_tubes")

    def ensure_main(self) -> str:
        """Generate and import the world (once); returns its detection set key."""
        note = _read_note(self.main_dir)
        if note is not None:
            return note["detections"]
        _fresh(self.main_dir)
        manifest = generate_world(self.preset, self.world_dir, seed=self.seed)
        with Project.create(self.main_dir) as project:
            report = import_world(project, manifest)
        _write_note(self.main_dir, {"detections": report.detection_set, "recall_sets": {}})
        return report.detection_set

    def scenes(self) -> list[VideoScene]:
        """The world's scenes again, without rendering (as generate_world drew them)."""
        config = self.manifest.config
        return [
            simulate_video(config, scene_rng(self.seed, index), video.video_id)
            for index, video in enumerate(self.manifest.videos)
        ]

    def redrawn_detections(self, recall: float) -> list[AvaRow]:
        """The simulated detector's boxes at ``recall`` on the same scenes, from the same
        random streams (at the world's recall: its own ``detections.csv``, row for row)."""
        config = self.manifest.config
        rows: list[AvaRow] = []
        for index, scene in enumerate(self.scenes()):
            found = simulate_detections(
                scene, detector_rng(self.seed, index), recall=recall,
                precision=config.precision, jitter=config.jitter, dropout_frames=config.dropout_frames,
            )
            rows += detection_rows(scene, found)
        return rows

    def ensure_recall_set(self, recall: float) -> str:
        """The detection set of the same scenes seen by a detector of ``recall`` (the world's
        own set when that is its recall); imported once, then remembered."""
        main = self.ensure_main()
        config = self.manifest.config
        if abs(recall - config.recall) < 1e-9:
            return main
        note = _read_note(self.main_dir)
        tag = f"{recall:.2f}"
        if tag in note["recall_sets"]:
            return note["recall_sets"][tag]
        path = self.world_dir / f"detections_recall{tag}.csv"
        write_ava_csv(self.redrawn_detections(recall), path)
        with Project.open(self.main_dir) as project:
            key = import_precomputed(project, path).set_key
        note["recall_sets"][tag] = key
        _write_note(self.main_dir, note)
        return key

    def subclip_dir(self, seconds: float) -> Path:
        return self.root / f"subclip-{seconds:g}s"

    def ensure_subclip(self, seconds: float) -> tuple[Path, str, dict]:
        """A project whose weak labels come from sub-clips of ``seconds`` (world seconds);
        returns its folder, detection set key and label statistics."""
        self.ensure_main()
        root = self.subclip_dir(seconds)
        note = _read_note(root)
        if note is not None:
            return root, note["detections"], note["labels"]
        _fresh(root)
        manifest = self.manifest
        rows = [row for scene in self.scenes() for row in weak_label_rows(scene, seconds)]
        with Project.create(root) as project:
            project.add_label_map(manifest.path("label_map"))
            project.import_videos([manifest.out_dir / "videos"])
            project.set_video_splits({video.video_id: video.split for video in manifest.videos})
            gt_file = manifest.path("gt_frames") if "gt_frames" in manifest.files else manifest.path("gt_keyframes")
            import_ava_ground_truth(project, gt_file)
            labels_csv = root / f"weak_labels_{seconds:g}s.csv"
            write_clip_labels_csv(rows, labels_csv)
            import_clip_labels(project, labels_csv, by=f"synthetic:{seconds:g}s")
            key = import_precomputed(project, manifest.path("detections")).set_key
        stats = label_stats(rows)
        _write_note(root, {"detections": key, "labels": stats, "seconds": seconds})
        return root, key, stats

    @cached_property
    def whole_video_stats(self) -> dict:
        """:func:`label_stats` of the whole-video labels (what the main project trains on)."""
        return label_stats([row for scene in self.scenes() for row in weak_label_rows(scene, None)])


def label_stats(rows: list[ClipLabelRow]) -> dict:
    """How weak a labelling is: clips, mean labels per clip, share of clips with no action."""
    clips = len(rows)
    labels = sum(len(row.labels) for row in rows)
    empty = sum(not row.labels for row in rows)
    return {
        "clips": clips,
        "labels_per_clip": labels / clips if clips else 0.0,
        "empty_share": empty / clips if clips else 0.0,
    }


def seed_world(out: Path, preset: str, seed: int) -> SeedWorld:
    return SeedWorld(out / "worlds" / f"{preset}-seed{seed}", preset, seed)

