"""A generated world as a project: videos, vocabulary, splits, ground truth, clip labels and
the simulated detections, each through the same path users' own data takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wsad_core.detect import import_precomputed
from wsad_core.project import Project, import_ava_ground_truth, import_clip_labels
from wsad_core.synthetic.world import WorldManifest


@dataclass(frozen=True)
class WorldImportReport:
    videos: int
    labels: int
    gt_boxes: int
    labelled_clips: int
    detection_set: str


def import_world(
    project: Project,
    manifest: WorldManifest,
    *,
    progress: Callable[[int, int, Path], None] | None = None,
) -> WorldImportReport:
    """Import a world into ``project``: whole-video weak labels, GT boxes for evaluation
    (every frame when the world has them, else 1 Hz keyframes), and the simulated person
    detections as a precomputed detection set."""
    project.add_label_map(manifest.path("label_map"))
    imported = project.import_videos([manifest.out_dir / "videos"], progress=progress)
    project.set_video_splits({video.video_id: video.split for video in manifest.videos})
    gt_file = manifest.path("gt_frames") if "gt_frames" in manifest.files else manifest.path("gt_keyframes")
    gt = import_ava_ground_truth(project, gt_file)
    clips = import_clip_labels(project, manifest.path("weak_labels_video"), by="synthetic:video")
    detections = import_precomputed(project, manifest.path("detections"))
    return WorldImportReport(
        videos=len(imported.added) + len(imported.linked),
        labels=len(project.labels()),
        gt_boxes=gt.boxes,
        labelled_clips=clips,
        detection_set=detections.set_key,
    )
