"""A synthetic spatio-temporal action world with full ground truth.

Articulated stick figures act out a vocabulary of actions that only motion over
time tells apart, on cluttered backgrounds, overlapping each other, entering and
leaving the picture; bystanders stand around unlabelled. A world on disk holds real
H.264 videos, AVA and UCF101-24 style ground truth, simulated person detections and
clip-level labels, so every stage of the pipeline runs end to end on a small machine.

- :func:`generate_world` writes a world from a :class:`WorldConfig` or a preset name.
- :func:`simulate_video` and :func:`render_frames` give one video in memory.
- :func:`weak_labels` gives clip labels for any clip duration.
"""

from wsad_core.synthetic.actions import ACTION_GROUPS, ACTION_IDS, ACTIONS, ActionClip, ActionParams, action_clips
from wsad_core.synthetic.config import PRESETS, WorldConfig, get_preset
from wsad_core.synthetic.detector import Detection, simulate_detections
from wsad_core.synthetic.pose import NEUTRAL, PART_GROUPS, Pose
from wsad_core.synthetic.render import render_frames
from wsad_core.synthetic.scene import Figure, VideoScene, simulate_video
from wsad_core.synthetic.weak_labels import weak_label_rows, weak_labels
from wsad_core.synthetic.world import WorldManifest, WorldVideo, generate_world, read_manifest

__all__ = [
    "ACTIONS",
    "ACTION_GROUPS",
    "ACTION_IDS",
    "NEUTRAL",
    "PART_GROUPS",
    "PRESETS",
    "ActionClip",
    "ActionParams",
    "Detection",
    "Figure",
    "Pose",
    "VideoScene",
    "WorldConfig",
    "WorldManifest",
    "WorldVideo",
    "action_clips",
    "generate_world",
    "get_preset",
    "read_manifest",
    "render_frames",
    "simulate_detections",
    "simulate_video",
    "weak_label_rows",
    "weak_labels",
]
