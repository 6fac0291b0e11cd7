"""The action vocabulary and the per-frame poses each action produces.

The classes come in pairs that no single frame tells apart. ``wave``, ``clap`` and
``kick`` raise a limb from the neutral pose to the start of an oscillation, oscillate
and lower it the same way. Their static partners (``hold_arm_up``, ``hands_together``,
``leg_raised``) raise the limb the same way, move along the oscillation to a phase
drawn uniformly over its period, hold that pose for as long as the partner would
oscillate, and go back. Only the oscillation and the hold are labelled, not the way
there and back. So every frame of a static class is a frame of its moving partner,
and the held poses follow the same distribution as the oscillation's frames: a
single frame says nothing about which of the two it shows. ``stand_up``
is ``crouch_down``'s frames in reverse order. ``walk``, ``jump`` and ``spin`` all
pass through the neutral pose, which is not a class. Oscillations are sampled on a
whole number of frames per period and always end where they started, so the
shared frames are identical, not merely close.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wsad_core.synthetic.pose import NEUTRAL_ARM, NEUTRAL_LEG, PartialPose

ACTIONS: tuple[str, ...] = (
    "walk",
    "wave",
    "hold_arm_up",
    "clap",
    "hands_together",
    "kick",
    "leg_raised",
    "jump",
    "crouch_down",
    "stand_up",
    "spin",
)
ACTION_IDS: dict[str, int] = {name: index + 1 for index, name in enumerate(ACTIONS)}

ACTION_GROUPS: dict[str, frozenset[str]] = {
    "walk": frozenset({"legs"}),
    "wave": frozenset({"right_arm"}),
    "hold_arm_up": frozenset({"right_arm"}),
    "clap": frozenset({"left_arm", "right_arm"}),
    "hands_together": frozenset({"left_arm", "right_arm"}),
    "kick": frozenset({"legs"}),
    "leg_raised": frozenset({"legs"}),
    "jump": frozenset({"legs", "lift"}),
    "crouch_down": frozenset({"legs"}),
    "stand_up": frozenset({"legs"}),
    "spin": frozenset({"width"}),
}

# Static classes take their parameters (and so their frames) from their moving partner.
PARTNER: dict[str, str] = {
    "hold_arm_up": "wave",
    "hands_together": "clap",
    "leg_raised": "kick",
    "stand_up": "crouch_down",
}

# Walking speed in figure heights per second (the feet slide a little; nobody checks).
WALK_SPEED = 0.45

# Wave: upper arm raised up and out, forearm swinging about the vertical above the head.
WAVE_UPPER = 2.4
# Clap: arm angles with the hands touching in front of the chest, and fully apart.
CLAP_TOGETHER = (0.25, -2.1)
CLAP_APART = (1.0, -2.7)
# Kick: the oscillation swings the straight leg between this fraction of its amplitude
# and the full amplitude, so a leg held anywhere along it is visibly raised.
KICK_BASE = 0.35
# Jump: how far the legs fold at the top of a hop.
JUMP_FOLD = 0.35
# Crouch: thigh and shin angles added at the bottom of a crouch (knees out, feet under).
CROUCH_THIGH, CROUCH_SHIN = 1.1, -0.95


@dataclass(frozen=True)
class ActionParams:
    """Random choices of one action instance; frame counts are at the video's rate.

    ``cycles`` counts the repeating unit of the motion (half periods for walk and
    wave, whole periods otherwise). ``side`` is +1 for the left limb, -1 for the
    right; ``direction`` is the walking direction along x. ``hold`` is the length of the
    crouched hold between ``crouch_down`` and ``stand_up``; ``phase`` is the frame of the
    oscillation (within one period) that a static partner holds.
    """

    period: int
    amplitude: float
    cycles: int
    ramp: int
    hold: int
    side: int = -1
    direction: int = 1
    phase: int = 0


@dataclass(frozen=True)
class ActionClip:
    """Consecutive frames of one action; ``action`` is ``None`` for unlabelled frames
    (the crouched pose between ``crouch_down`` and ``stand_up``, a limb on its way to
    or from an action).

    ``velocity`` is the horizontal speed in figure heights per frame.
    """

    action: str | None
    groups: frozenset[str]
    poses: tuple[PartialPose, ...]
    velocity: float = 0.0

    @property
    def frames(self) -> int:
        return len(self.poses)


# Per moving class: (period range in seconds, amplitude range, repeating unit in periods).
_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float], float]] = {
    "walk": ((0.8, 1.1), (0.35, 0.5), 0.5),
    "wave": ((0.4, 0.7), (0.7, 1.0), 0.5),
    "clap": ((0.4, 0.6), (1.0, 1.0), 1.0),
    "kick": ((0.6, 0.9), (1.0, 1.4), 1.0),
    "jump": ((0.5, 0.7), (0.15, 0.25), 1.0),
    "crouch_down": ((0.8, 1.2), (1.0, 1.0), 1.0),
    "spin": ((0.8, 1.4), (1.0, 1.0), 1.0),
}
_MIN_CYCLES = {"walk": 2, "wave": 2, "clap": 2, "kick": 1, "jump": 2, "crouch_down": 1, "spin": 1}
_RAMP_SECONDS = (0.2, 0.4)
_HOLD_SECONDS = (0.8, 2.5)


def _even_frames(seconds: float, fps: float) -> int:
    return max(2, 2 * round(seconds * fps / 2))


def sample_params(
    action: str, rng: np.random.Generator, fps: float, seconds: float, direction: int = 1
) -> ActionParams:
    """Draw an instance of ``action`` lasting roughly ``seconds`` (rounded to whole cycles)."""
    source = PARTNER.get(action, action)
    (p_lo, p_hi), (a_lo, a_hi), unit = _RANGES[source]
    period = _even_frames(rng.uniform(p_lo, p_hi), fps)
    amplitude = float(rng.uniform(a_lo, a_hi))
    cycles = max(_MIN_CYCLES[source], round(seconds * fps / (unit * period)))
    ramp = max(1, round(rng.uniform(*_RAMP_SECONDS) * fps))
    hold = max(1, round(rng.uniform(*_HOLD_SECONDS) * fps))
    side = int(rng.choice((-1, 1)))
    phase = int(rng.integers(period))
    return ActionParams(period, amplitude, cycles, ramp, hold, side, direction, phase)


def _lerp(a: tuple[float, ...], b: tuple[float, ...], s: float) -> tuple[float, ...]:
    return tuple(x + (y - x) * s for x, y in zip(a, b))


def _ramp(neutral: tuple[float, ...], target: tuple[float, ...], frames: int) -> list[tuple[float, ...]]:
    """Frames moving from ``neutral`` to ``target``, both ends excluded."""
    steps = [(i + 1) / (frames + 1) for i in range(frames)]
    return [_lerp(neutral, target, 3 * s * s - 2 * s**3) for s in steps]


def _wave_arm(p: ActionParams, t: int) -> tuple[float, float]:
    return (WAVE_UPPER, math.pi + p.amplitude * math.sin(2 * math.pi * t / p.period))


def _clap_arm(p: ActionParams, t: int) -> tuple[float, ...]:
    return _lerp(CLAP_TOGETHER, CLAP_APART, 0.5 * (1 - math.cos(2 * math.pi * t / p.period)))


def _kick_legs(p: ActionParams, t: int) -> tuple[float, float, float, float]:
    swing = KICK_BASE + (1 - KICK_BASE) * math.sin(math.pi * t / p.period) ** 2
    raised = NEUTRAL_LEG + p.amplitude * swing
    if p.side > 0:
        return (raised, raised, NEUTRAL_LEG, NEUTRAL_LEG)
    return (NEUTRAL_LEG, NEUTRAL_LEG, raised, raised)


def _jump(p: ActionParams, t: int) -> dict[str, object]:
    height = math.sin(math.pi * (t % p.period) / p.period)
    thigh, shin = NEUTRAL_LEG + JUMP_FOLD * height, NEUTRAL_LEG - JUMP_FOLD * height
    return {"legs": (thigh, shin, thigh, shin), "lift": p.amplitude * height}


def _walk_legs(p: ActionParams, t: int) -> tuple[float, float, float, float]:
    angle = NEUTRAL_LEG + p.amplitude * math.sin(2 * math.pi * t / p.period)
    return (angle, angle, angle, angle)


def crouch_legs(depth: float) -> tuple[float, float, float, float]:
    """Leg angles at crouch ``depth`` (0 standing, 1 fully down)."""
    thigh, shin = NEUTRAL_LEG + CROUCH_THIGH * depth, NEUTRAL_LEG + CROUCH_SHIN * depth
    return (thigh, shin, thigh, shin)


def _core_frames(p: ActionParams, unit: float) -> range:
    """Frames of the repeating motion, including the last one, which returns to the first pose."""
    return range(round(p.cycles * unit * p.period) + 1)


def _approach(p: ActionParams) -> list[int]:
    """Frames of the oscillation from its start to just before ``p.phase``, the shorter way
    round (backwards through the end of the first period when that is shorter)."""
    if p.phase <= p.period // 2:
        return list(range(p.phase))
    return [0, *range(p.period - 1, p.phase, -1)]


def _limb_clips(
    action: str,
    p: ActionParams,
    pose_at: Callable[[ActionParams, int], tuple[float, ...]],
    neutral: tuple[float, ...],
) -> tuple[list[tuple[float, ...]], list[tuple[float, ...]], list[tuple[float, ...]]]:
    """Raise the limb(s) to the oscillation's first pose, oscillate (a moving class) or go
    to ``p.phase`` and hold it as long (its static partner), and lower them the same way.

    Returns (getting there, the action, going back). Only the middle is labelled: the
    ramp and a static class's way along the oscillation to its held phase move like
    the moving class, so labelling them static would teach a clip of partial
    oscillation to mean "static".
    """
    source = PARTNER.get(action, action)
    motion = _core_frames(p, _RANGES[source][2])
    lead_in = _ramp(neutral, pose_at(p, 0), p.ramp)
    if action in PARTNER:
        lead_in += [pose_at(p, t) for t in _approach(p)]
        core = [pose_at(p, p.phase)] * len(motion)
    else:
        core = [pose_at(p, t) for t in motion]
    return lead_in, core, lead_in[::-1]


def action_clips(action: str, p: ActionParams, fps: float) -> list[ActionClip]:
    """The clips of one instance. A limb action is its labelled part between an
    unlabelled lead-in and lead-out (see ``_limb_clips``); a crouch is followed by an
    unlabelled crouched hold and a ``stand_up`` (its own frames reversed); the others are
    one clip."""
    groups = ACTION_GROUPS[action]
    if action in ("wave", "hold_arm_up"):
        parts = [[{"right_arm": arm} for arm in frames] for frames in _limb_clips(action, p, _wave_arm, NEUTRAL_ARM)]
    elif action in ("clap", "hands_together"):
        arm_frames = _limb_clips(action, p, _clap_arm, NEUTRAL_ARM)
        parts = [[{"left_arm": arm, "right_arm": arm} for arm in frames] for frames in arm_frames]
    elif action in ("kick", "leg_raised"):
        leg_frames = _limb_clips(action, p, _kick_legs, (NEUTRAL_LEG,) * 4)
        parts = [[{"legs": legs} for legs in frames] for frames in leg_frames]
    elif action == "jump":
        poses = [_jump(p, t) for t in _core_frames(p, 1.0)]
        return [ActionClip(action, groups, tuple(poses))]
    elif action == "walk":
        poses = [{"legs": _walk_legs(p, t)} for t in _core_frames(p, 0.5)]
        return [ActionClip(action, groups, tuple(poses), p.direction * WALK_SPEED / fps)]
    elif action == "spin":
        poses = [{"width": math.cos(2 * math.pi * t / p.period)} for t in _core_frames(p, 1.0)]
        return [ActionClip(action, groups, tuple(poses))]
    elif action in ("crouch_down", "stand_up"):
        return _crouch_episode(p)
    else:
        raise ValueError(f"unknown action {action!r}")
    lead_in, core, lead_out = parts
    return [
        ActionClip(None, groups, tuple(lead_in)),
        ActionClip(action, groups, tuple(core)),
        ActionClip(None, groups, tuple(lead_out)),
    ]


def _crouch_episode(p: ActionParams) -> list[ActionClip]:
    frames = p.period
    depths = [3 * s * s - 2 * s**3 for s in (i / (frames - 1) for i in range(frames))]
    down = tuple({"legs": crouch_legs(d)} for d in depths)
    legs = frozenset({"legs"})
    hold = tuple({"legs": crouch_legs(1.0)} for _ in range(p.hold))
    return [
        ActionClip("crouch_down", legs, down),
        ActionClip(None, legs, hold),
        ActionClip("stand_up", legs, down[::-1]),
    ]


def episode(
    action: str, rng: np.random.Generator, fps: float, seconds: float, direction: int = 1
) -> list[ActionClip]:
    """Draw one instance of ``action`` lasting roughly ``seconds`` (a crouch episode for
    ``crouch_down``)."""
    return action_clips(action, sample_params(action, rng, fps, seconds, direction), fps)
