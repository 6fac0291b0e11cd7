"""Knobs of the synthetic world and the named presets."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wsad_core.synthetic.actions import ACTIONS


@dataclass(frozen=True)
class WorldConfig:
    """Everything that shapes a generated world; the seed is passed separately.

    Sizes are in pixels, durations in seconds, ranges are inclusive ``(low, high)``.
    ``figure_height`` is the standing height of the nearest and farthest figures as
    a fraction of the frame height. ``recall``/``precision`` describe the simulated
    person detector; ``dropout_frames`` is the mean length of the runs of frames in
    which it loses a person it had. ``splits`` are the train/val/test fractions.
    ``keyframe_hz`` is how many frames per second the keyframe ground truth annotates (AVA's
    is 1; a denser rate gives the fully supervised baseline more distinct examples, and
    Frame AP more keyframes, as UCF101-24's every-frame boxes do).
    ``video_classes``, when set, makes each video draw that many of ``classes`` and its actors
    act only those (and then never walk in from outside, unless walk is one of them): one
    labelled class per video, as in UCF101-24, where whole-video labels name what the actors do.
    """

    name: str = "custom"
    videos: int = 4
    width: int = 128
    height: int = 96
    fps: int = 25
    seconds: tuple[float, float] = (3.0, 4.0)
    figures: tuple[int, int] = (1, 2)
    bystander_probability: float = 0.3
    classes: tuple[str, ...] = ACTIONS
    overlap_probability: float = 0.4
    enter_probability: float = 0.25
    figure_height: tuple[float, float] = (0.8, 0.55)
    action_seconds: tuple[float, float] = (1.0, 2.5)
    gap_seconds: tuple[float, float] = (0.2, 1.0)
    noise: float = 4.0
    recall: float = 0.7
    precision: float = 0.5
    jitter: float = 0.04
    dropout_frames: float = 4.0
    every_frame_gt: bool = False
    keyframe_hz: int = 1
    splits: tuple[float, float, float] = (0.6, 0.2, 0.2)
    crf: int = 20
    video_classes: int | None = None

    def __post_init__(self) -> None:
        unknown = [name for name in self.classes if name not in ACTIONS]
        if unknown:
            raise ValueError(f"unknown action classes {unknown}; known: {list(ACTIONS)}")
        if not self.classes or len(set(self.classes)) != len(self.classes):
            raise ValueError("classes must be a non-empty list without repeats")
        if ("crouch_down" in self.classes) != ("stand_up" in self.classes):
            raise ValueError("crouch_down and stand_up come together: a crouch is always undone")
        if self.width % 2 or self.height % 2 or self.width < 32 or self.height < 32:
            raise ValueError(f"frame size must be even and at least 32x32, got {self.width}x{self.height}")
        if not (0 < self.recall <= 1 and 0 < self.precision <= 1):
            raise ValueError("recall and precision must be in (0, 1]")
        if self.videos < 1 or not 1 <= self.figures[0] <= self.figures[1]:
            raise ValueError("videos must be positive and figures a range starting at 1 or more")
        if self.keyframe_hz < 1 or self.fps % self.keyframe_hz:
            raise ValueError(f"keyframe_hz must divide fps={self.fps}, got {self.keyframe_hz}")
        if not 0 < self.seconds[0] <= self.seconds[1]:
            raise ValueError("seconds must be a positive range")
        if abs(sum(self.splits) - 1.0) > 1e-6 or min(self.splits) < 0:
            raise ValueError(f"splits must be non-negative fractions summing to 1, got {self.splits}")
        starters = [name for name in self.classes if name != "stand_up"]
        if self.video_classes is not None and not 1 <= self.video_classes <= len(starters):
            raise ValueError(f"video_classes must be between 1 and {len(starters)}, got {self.video_classes}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (tuples become lists)."""
        values = dataclasses.asdict(self)
        return {key: list(value) if isinstance(value, tuple) else value for key, value in values.items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> WorldConfig:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown WorldConfig fields {unknown}")
        return cls(**{key: tuple(value) if isinstance(value, list) else value for key, value in values.items()})


PRESETS: dict[str, WorldConfig] = {
    # Unit tests: the whole world in about two seconds.
    "tiny": WorldConfig(
        name="tiny",
        videos=4,
        width=128,
        height=96,
        seconds=(3.0, 4.0),
        figures=(1, 2),
        classes=("walk", "wave", "hold_arm_up", "jump"),
        splits=(0.5, 0.25, 0.25),
    ),
    # `make demo`: every class, small frames, a few seconds each.
    "demo": WorldConfig(
        name="demo",
        videos=12,
        width=160,
        height=120,
        seconds=(6.0, 8.0),
        figures=(1, 4),
        splits=(0.5, 0.25, 0.25),
    ),
    # Benchmarks: enough videos that AP differences of 2-3 points stand above seed noise.
    # Eight classes (three motion pairs, walk and jump) and at most three people in a wide
    # picture (four in 160 px hid a third of the actors behind others); with all eleven
    # classes and five people a CPU model did not learn within the time budget. Keyframes
    # stay at AVA's 1 Hz: 5 Hz made fully supervised epochs five times longer and did not
    # learn faster per minute (benchmarks/results/learnability_2026-11-26_session3.md).
    "bench": WorldConfig(
        name="bench",
        videos=160,
        width=212,
        height=120,
        seconds=(6.0, 10.0),
        figures=(1, 3),
        classes=("walk", "wave", "hold_arm_up", "clap", "hands_together", "kick", "leg_raised", "jump"),
        splits=(0.6, 0.1, 0.3),
    ),
}
# The same world with UCF101-24's labelling: one action class per video, repeated by its actors,
# no second action on top; bystanders and the detector's false positives stay as the noise. On
# `bench` a video holds 4.2 of the 8 classes and whole-video MIL did not learn from scratch
# (benchmarks/results/mil_diagnosis_2026-11-27_session6/).
PRESETS["bench-ucf"] = dataclasses.replace(PRESETS["bench"], name="bench-ucf", video_classes=1, overlap_probability=0.0)
# Twice as many videos, the extra ones all for training (256 training videos, 32 a class; the
# same 16 validation and 48 test videos as bench-ucf's sizes): MIL learns from one bag per
# training video, and UCF101-24 gives it about 95 a class.
PRESETS["bench-ucf-large"] = dataclasses.replace(
    PRESETS["bench-ucf"], name="bench-ucf-large", videos=320, splits=(0.8, 0.05, 0.15)
)


def get_preset(name: str) -> WorldConfig:
    """The preset called ``name``; raises ``ValueError`` listing the presets otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; presets: {sorted(PRESETS)}") from None
