"""Simulated scenes: boxes around the drawn figures, entering and leaving, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from wsad_core.synthetic import ACTION_IDS, WorldConfig, render_frames, simulate_video
from wsad_core.synthetic.figure import draw_figure, figure_geometry, limb_thickness
from wsad_core.synthetic.render import draw_scene_frame


def drawn_extent(scene, person: int, frame: int) -> tuple[int, int, int, int] | None:
    """Box of the pixels figure ``person`` covers when drawn alone on a blank frame."""
    figure = scene.figures[person]
    image = np.zeros((scene.height, scene.width, 3), np.uint8)
    geometry = figure_geometry(figure.poses[frame], float(figure.x[frame]), figure.ground, figure.height)
    draw_figure(image, geometry, figure.color)
    mask = image.any(axis=2)
    if not mask.any():
        return None
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1)


@pytest.mark.parametrize("seed", range(4))
def test_boxes_are_the_drawn_pixels_of_each_figure(seed: int) -> None:
    config = WorldConfig(width=160, height=120, seconds=(3.0, 3.0), figures=(2, 3), enter_probability=0.5)
    scene = simulate_video(config, seed)
    for frame in range(0, scene.nframes, 3):
        for person in range(len(scene.figures)):
            extent = drawn_extent(scene, person, frame)
            box = scene.boxes[frame, person]
            if extent is None:
                assert np.isnan(box).all()
            else:
                assert np.allclose(box, extent), (frame, person, box, extent)


def test_figures_walking_through_get_clipped_then_absent_boxes(make_scene) -> None:
    nframes = 60
    x = np.linspace(-60, 188, nframes)  # from left of the 128-wide frame to past its right edge
    scene = make_scene([{"x": x}], nframes=nframes)
    boxes = scene.boxes[:, 0]
    absent = np.isnan(boxes[:, 0])
    assert absent[0] and absent[-1] and not absent.all()
    present = boxes[~absent]
    assert present[0, 0] == 0.0 and present[-1, 2] == scene.width
    inside = (present[:, 0] > 0) & (present[:, 2] < scene.width)
    assert inside.any()
    assert (present[:, [0, 1]] >= 0).all()
    assert (present[:, 2] <= scene.width).all() and (present[:, 3] <= scene.height).all()


def test_entering_figures_start_outside_and_walk_in() -> None:
    config = WorldConfig(
        width=160, height=120, seconds=(4.0, 4.0), figures=(1, 1), enter_probability=1.0, bystander_probability=0.0
    )
    for seed in range(4):
        scene = simulate_video(config, seed)
        figure = scene.figures[0]
        assert figure.segments[0][0] == "walk" and figure.segments[0][1] == 0
        first = scene.boxes[0, 0]
        assert np.isnan(first[0]) or first[0] == 0.0 or first[2] == scene.width
        assert scene.visible[:, 0].any()


def test_same_seed_same_scene_and_frames_other_seed_differs(tiny_config) -> None:
    a, b = simulate_video(tiny_config, 5, "v"), simulate_video(tiny_config, 5, "v")
    c = simulate_video(tiny_config, 6, "v")
    assert np.array_equal(a.boxes, b.boxes, equal_nan=True) and np.array_equal(a.actions, b.actions)
    for frame_a, frame_b in zip(render_frames(a), render_frames(b)):
        assert np.array_equal(frame_a, frame_b)
    assert a.nframes != c.nframes or not np.array_equal(a.boxes, c.boxes, equal_nan=True)
    assert not np.array_equal(next(render_frames(a)), next(render_frames(c)))


def test_scenes_respect_the_config() -> None:
    config = dataclasses.replace(
        WorldConfig(), width=160, height=120, figures=(1, 5), seconds=(4.0, 6.0), bystander_probability=0.5
    )
    seen_actions = set()
    for seed in range(12):
        scene = simulate_video(config, seed)
        assert 4.0 * 25 <= scene.nframes <= 6.0 * 25
        assert 1 <= len(scene.figures) <= 5
        assert any(not f.bystander for f in scene.figures)
        for index, figure in enumerate(scene.figures):
            assert 0.5 * config.height <= figure.height <= 0.8 * config.height
            assert limb_thickness(figure.height) >= 3
            if figure.bystander:
                assert not scene.actions[:, index].any() and not figure.segments
        labels = scene.labels()
        assert not labels[~scene.visible].any()
        seen_actions |= {name for name, i in ACTION_IDS.items() if labels[:, :, i - 1].any()}
    assert len(seen_actions) >= 8


def test_people_overlap_and_are_drawn_far_to_near(make_scene) -> None:
    scene = make_scene([{"x": 60.0}, {"x": 66.0}], nframes=2)
    near = max(scene.figures, key=lambda f: -f.depth)
    image = np.zeros((scene.height, scene.width, 3), np.uint8)
    draw_scene_frame(image, scene, 0)
    # The overlap is painted by the nearer (smaller depth) figure.
    head = figure_geometry(near.poses[0], float(near.x[0]), near.ground, near.height).head_centre
    far = max(scene.figures, key=lambda f: f.depth)
    assert far is not near
    assert tuple(image[round(head[1]), round(head[0])]) != (0, 0, 0)
    colors = {tuple(int(v) for v in image[round(head[1]), round(head[0])])}
    expected = tuple(min(255, round(c * 1.15)) for c in near.color)
    assert colors == {expected}


def test_one_class_per_video_labels_every_video_with_one_action() -> None:
    """`bench-ucf` (video_classes=1): UCF101-24's labelling, where a whole-video label names
    what the video's actors do; bystanders still stand about doing nothing."""
    from wsad_core.synthetic import get_preset
    from wsad_core.synthetic.weak_labels import weak_labels

    config = dataclasses.replace(get_preset("bench-ucf"), seconds=(4.0, 5.0))
    drawn, bystanders = set(), 0
    for seed in range(24):
        scene = simulate_video(config, seed)
        (_, _, labels), = weak_labels(scene)
        assert len(labels) == 1, (seed, labels)
        drawn |= set(labels)
        for figure in scene.figures:
            bystanders += figure.bystander
            assert {name for name, _, _ in figure.segments} <= set(labels)
    assert len(drawn) >= 5 and bystanders > 0  # the classes vary between videos
    with pytest.raises(ValueError, match="video_classes"):
        dataclasses.replace(config, video_classes=0)
    with pytest.raises(ValueError, match="video_classes"):
        dataclasses.replace(config, video_classes=9)
