"""The classes can only be told apart over time: every frame of one is a frame of its partner."""

from __future__ import annotations

import numpy as np
import pytest

from wsad_core.synthetic import NEUTRAL, Pose, action_clips
from wsad_core.synthetic.actions import PARTNER, sample_params
from wsad_core.synthetic.figure import draw_figure, figure_geometry
from wsad_core.synthetic.pose import compose, pose_distance

FPS = 25
STATIC_PAIRS = [("wave", "hold_arm_up"), ("clap", "hands_together"), ("kick", "leg_raised")]
THROUGH_NEUTRAL = ["walk", "jump", "spin"]


def poses_of(action: str, params) -> list[Pose]:
    return [compose([part]) for clip in action_clips(action, params, FPS) for part in clip.poses]


def labelled_poses(action: str, params) -> list[Pose]:
    clips = [clip for clip in action_clips(action, params, FPS) if clip.action == action]
    return [compose([part]) for clip in clips for part in clip.poses]


def longest_still_run(poses: list[Pose]) -> int:
    longest = run = 1
    for previous, pose in zip(poses, poses[1:]):
        run = run + 1 if pose_distance(previous, pose) == 0.0 else 1
        longest = max(longest, run)
    return longest


def render(pose: Pose) -> np.ndarray:
    image = np.zeros((120, 160, 3), np.uint8)
    draw_figure(image, figure_geometry(pose, 80.3, 115.0, 84.0), (200, 120, 40))
    return image


def matching_pose(pose: Pose, candidates: list[Pose]) -> Pose | None:
    return next((c for c in candidates if pose_distance(pose, c) == 0.0), None)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("moving", "static"), STATIC_PAIRS)
def test_every_frame_of_the_static_class_is_a_frame_of_the_moving_one(moving: str, static: str, seed: int) -> None:
    params = sample_params(moving, np.random.default_rng(seed), FPS, 2.0)
    moving_poses = labelled_poses(moving, params)
    static_poses = labelled_poses(static, params)
    assert PARTNER[static] == moving
    assert all(matching_pose(pose, moving_poses) is not None for pose in static_poses)
    # The static class holds still as long as the moving one moves, and the moving one never does.
    assert longest_still_run(static_poses) == len(static_poses) == len(moving_poses)
    assert longest_still_run(poses_of(moving, params)) <= 2  # two frames straddling a turning point


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("moving", "static"), STATIC_PAIRS)
def test_the_way_to_and_from_the_action_is_unlabelled(moving: str, static: str, seed: int) -> None:
    """Raising the limb, and a static class's way along the oscillation to its held phase,
    move like the moving class; labelling them static would put motion into "static"."""
    params = sample_params(moving, np.random.default_rng(seed), FPS, 2.0)
    for action in (moving, static):
        lead_in, core, lead_out = action_clips(action, params, FPS)
        assert (lead_in.action, core.action, lead_out.action) == (None, action, None)
        assert lead_out.poses == lead_in.poses[::-1]
        assert compose([lead_in.poses[0]]) != NEUTRAL and lead_in.frames >= params.ramp
    moving_in, static_in = action_clips(moving, params, FPS)[0], action_clips(static, params, FPS)[0]
    assert static_in.poses[: params.ramp] == moving_in.poses
    # After the ramp, the static lead-in walks along the moving class's oscillation.
    oscillation = labelled_poses(moving, params)
    assert all(matching_pose(compose([part]), oscillation) for part in static_in.poses[params.ramp :])


@pytest.mark.parametrize(("moving", "static"), STATIC_PAIRS)
def test_the_shared_pose_renders_to_identical_pixels(moving: str, static: str) -> None:
    params = sample_params(moving, np.random.default_rng(7), FPS, 2.0)
    static_poses = labelled_poses(static, params)
    held = static_poses[len(static_poses) // 2]
    twin = matching_pose(held, poses_of(moving, params))
    assert twin is not None
    assert np.array_equal(render(held), render(twin))
    assert render(held).any()
    # Not vacuous: other frames of the moving class look different.
    assert any(not np.array_equal(render(held), render(p)) for p in poses_of(moving, params))


@pytest.mark.parametrize("seed", range(5))
def test_stand_up_is_crouch_down_in_reverse(seed: int) -> None:
    params = sample_params("crouch_down", np.random.default_rng(seed), FPS, 1.0)
    down, hold, up = action_clips("crouch_down", params, FPS)
    assert (down.action, hold.action, up.action) == ("crouch_down", None, "stand_up")
    assert up.poses == down.poses[::-1]
    assert compose([down.poses[0]]) == NEUTRAL
    assert all(part == down.poses[-1] for part in hold.poses)
    assert action_clips("stand_up", params, FPS) == [down, hold, up]
    for first, last in zip(down.poses, up.poses[::-1]):
        assert np.array_equal(render(compose([first])), render(compose([last])))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("action", THROUGH_NEUTRAL)
def test_neutral_is_a_frame_of_moving_classes(action: str, seed: int) -> None:
    params = sample_params(action, np.random.default_rng(seed), FPS, 2.0)
    poses = labelled_poses(action, params)
    twin = matching_pose(NEUTRAL, poses)
    assert twin is not None
    assert np.array_equal(render(NEUTRAL), render(twin))
    assert any(pose_distance(NEUTRAL, pose) > 0.1 for pose in poses)


def test_actions_drive_only_their_part_groups() -> None:
    from wsad_core.synthetic import ACTION_GROUPS, ACTIONS

    for action in ACTIONS:
        params = sample_params(action, np.random.default_rng(0), FPS, 2.0)
        for clip in action_clips(action, params, FPS):
            assert clip.groups == ACTION_GROUPS[action]
            assert all(set(part) <= clip.groups for part in clip.poses)


def pose_histogram(action: str, moving: str, seeds: range, bins: int = 8) -> np.ndarray:
    """How often ``action``'s labelled frames show each part of ``moving``'s oscillation
    (``bins`` phase bins of one period, plus one bin for poses off the oscillation)."""
    counts = np.zeros(bins + 1)
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params = sample_params(moving, rng, FPS, float(rng.uniform(1.0, 2.5)))
        oscillation = labelled_poses(moving, params)[: params.period]
        period = np.stack([pose.vector() for pose in oscillation])
        for pose in labelled_poses(action, params):
            distances = np.abs(period - pose.vector()).max(axis=1)
            nearest = int(np.argmin(distances))
            counts[nearest * bins // params.period if distances[nearest] < 1e-9 else bins] += 1
    return counts / counts.sum()


@pytest.mark.parametrize(("moving", "static"), STATIC_PAIRS)
def test_static_frames_follow_the_moving_class_frame_distribution(moving: str, static: str) -> None:
    """Over many instances, the two classes show each pose about equally often: the held
    phase is drawn over the whole period, so no pose is evidence for one of them."""
    seeds = range(150)
    moving_hist, static_hist = pose_histogram(moving, moving, seeds), pose_histogram(static, moving, seeds)
    total_variation = 0.5 * np.abs(moving_hist - static_hist).sum()
    assert total_variation < 0.2, (moving_hist.round(3), static_hist.round(3))
    # Holding the first pose of the oscillation instead would be told apart from one frame.
    assert static_hist[:-1].max() < 0.5
