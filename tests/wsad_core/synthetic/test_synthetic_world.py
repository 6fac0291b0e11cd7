"""A generated world on disk: its files read back with the project's readers, deterministically."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from wsad_core.errors import WsadError
from wsad_core.formats import read_ava_csv, read_clip_labels_csv, read_label_map, read_ucf24
from wsad_core.synthetic import ACTION_IDS, generate_world, get_preset, read_manifest, render_frames, simulate_video
from wsad_core.synthetic.world import FILES, assign_splits, scene_rng
from wsad_core.video import VideoReader, probe_video

ANNOTATIONS = [name for role, name in FILES.items() if role != "gt_frames"]


def test_layout_and_manifest(tiny_world) -> None:
    root = tiny_world.out_dir
    for name in ANNOTATIONS:
        assert (root / name).is_file(), name
    assert not (root / "gt_frames.csv").exists()
    assert sorted(p.name for p in (root / "videos").iterdir()) == [f"{v.video_id}.mp4" for v in tiny_world.videos]
    again = read_manifest(root)
    assert again.config == get_preset("tiny") and again.seed == 0 and again.preset == "tiny"
    assert again.videos == tiny_world.videos
    assert {v.split for v in again.videos} == {"train", "val", "test"}
    for video in again.videos:
        assert video.frames == round(video.duration * video.fps)
        assert 1 <= video.actors <= video.people <= 2


def test_videos_are_real_h264_with_the_scene_frames(tiny_world) -> None:
    video = tiny_world.videos[0]
    info = probe_video(tiny_world.out_dir / video.file)
    assert (info.width, info.height, info.frame_count) == (video.width, video.height, video.frames)
    assert info.codec == "h264"
    scene = simulate_video(tiny_world.config, scene_rng(0, 0), video.video_id)
    expected = next(render_frames(scene)).astype(int)
    with VideoReader(tiny_world.out_dir / video.file) as reader:
        decoded = reader.read_frame(0).astype(int)
    other = next(render_frames(simulate_video(tiny_world.config, scene_rng(0, 1)))).astype(int)
    # Camera noise does not survive compression; the picture does.
    assert np.abs(decoded - expected).mean() < 10 < np.abs(decoded - other).mean()


def test_annotations_read_back(tiny_world) -> None:
    root = tiny_world.out_dir
    label_map = {entry.id: entry.name for entry in read_label_map(root / "label_map.pbtxt")}
    assert label_map == {ACTION_IDS[name]: name for name in tiny_world.config.classes}
    gt = read_ava_csv(root / "gt_keyframes.csv", kind="gt")
    frames = {v.video_id: v for v in tiny_world.videos}
    keyframes = {(row.video_id, row.timestamp) for row in gt}
    seconds = {v.video_id: [t for t in range(int(v.duration) + 1) if t * v.fps < v.frames] for v in tiny_world.videos}
    assert keyframes == {(video, float(t)) for video, times in seconds.items() for t in times}
    boxed = [row for row in gt if row.box is not None]
    assert boxed and all(row.action_id in label_map and row.person_id is not None for row in boxed)
    people = read_ava_csv(root / "gt_person_boxes.csv", kind="boxes")
    assert all(row.action_id is None and row.score == 1.0 for row in people)
    assert {(r.video_id, r.timestamp, r.box) for r in boxed} <= {(r.video_id, r.timestamp, r.box) for r in people}
    detections = read_ava_csv(root / "detections.csv", kind="boxes")
    assert detections and all(0 < row.score < 1 for row in detections)
    assert {row.video_id for row in detections} <= set(frames)
    weak = read_clip_labels_csv(root / "weak_labels_video.csv")
    assert [row.video for row in weak] == list(frames)
    tubes = json.loads((root / "tubes.json").read_text())["videos"]
    for row in weak:
        assert row.start == 0 and row.end == pytest.approx(frames[row.video].duration)
        acted = {a["label"] for p in tubes[row.video]["people"] for a in p["actions"] if a["frames"]}
        assert set(row.labels) == acted
        assert {label_map[r.action_id] for r in boxed if r.video_id == row.video} <= acted


def test_tubes_json_and_ucf_tubes(tiny_world) -> None:
    root = tiny_world.out_dir
    tubes = json.loads((root / "tubes.json").read_text())
    ucf = read_ucf24(root / "ucf_tubes.pkl")
    assert ucf.labels == [name for name in ACTION_IDS if name in tiny_world.config.classes]
    for video in tiny_world.videos:
        record = tubes["videos"][video.video_id]
        assert len(record["people"]) == video.people and record["split"] == video.split
        ucf_video = ucf.videos[video.video_id]
        assert ucf_video.split == (None if video.split == "val" else video.split)
        assert (ucf_video.nframes, ucf_video.width, ucf_video.height) == (video.frames, video.width, video.height)
        main = ucf.labels[ucf_video.label]
        segments = [a for p in record["people"] for a in p["actions"] if a["label"] == main and a["frames"]]
        assert sum(len(s["frames"]) for s in segments) == sum(len(t.frames) for t in ucf_video.tubes)
        for person in record["people"]:
            assert person["bystander"] == (not person["actions"])
            assert len(person["frames"]) == len(person["boxes"])
            for action in person["actions"]:
                assert set(action["frames"]) <= set(person["frames"])
                assert action["start"] <= min(action["frames"], default=action["start"])


def test_same_seed_same_bytes_other_seed_differs(tiny_world, tiny_world_again, tiny_world_other_seed) -> None:
    for name in ANNOTATIONS:
        a = (tiny_world.out_dir / name).read_bytes()
        assert a == (tiny_world_again.out_dir / name).read_bytes(), name
        if name != "label_map.pbtxt":
            assert a != (tiny_world_other_seed.out_dir / name).read_bytes(), name
    for video in tiny_world.videos:
        with VideoReader(tiny_world.out_dir / video.file) as one, VideoReader(tiny_world_again.out_dir / video.file) as two:
            pairs = zip(one.iter_frames(), two.iter_frames(), strict=True)
            assert all(a[0] == b[0] and np.array_equal(a[1], b[1]) for a, b in pairs)


def test_refuses_to_overwrite_without_force(tiny_world, tmp_path) -> None:
    with pytest.raises(WsadError, match="already holds"):
        generate_world("tiny", tiny_world.out_dir)


def test_every_frame_ground_truth_when_configured(tmp_path) -> None:
    config = dataclasses.replace(get_preset("tiny"), videos=1, seconds=(1.0, 1.0), every_frame_gt=True)
    manifest = generate_world(config, tmp_path / "world", seed=3)
    rows = read_ava_csv(manifest.path("gt_frames"))
    assert {row.timestamp for row in rows} == {frame / 25 for frame in range(25)}


def test_splits_follow_the_fractions_and_the_seed() -> None:
    splits = assign_splits(20, (0.6, 0.2, 0.2), seed=1)
    assert sorted(splits).count("train") == 12 and splits.count("val") == 4 and splits.count("test") == 4
    assert splits == assign_splits(20, (0.6, 0.2, 0.2), seed=1) != assign_splits(20, (0.6, 0.2, 0.2), seed=2)


def test_the_large_ucf_preset_adds_only_training_videos() -> None:
    from wsad_core.synthetic import get_preset

    sizes = {}
    for name in ("bench-ucf", "bench-ucf-large"):
        config = get_preset(name)
        splits = assign_splits(config.videos, config.splits, seed=0)
        sizes[name] = tuple(splits.count(split) for split in ("train", "val", "test"))
    assert sizes == {"bench-ucf": (96, 16, 48), "bench-ucf-large": (256, 16, 48)}


def test_unknown_preset_and_bad_config_are_refused(tmp_path) -> None:
    from wsad_core.synthetic import WorldConfig

    with pytest.raises(ValueError, match="presets"):
        generate_world("huge", tmp_path)
    with pytest.raises(ValueError, match="stand_up"):
        WorldConfig(classes=("walk", "crouch_down"))
    with pytest.raises(ValueError, match="unknown action"):
        WorldConfig(classes=("walk", "dance"))


def test_config_round_trips_through_json_and_omegaconf() -> None:
    from omegaconf import OmegaConf

    from wsad_core.synthetic import WorldConfig

    demo = get_preset("demo")
    assert WorldConfig.from_dict(json.loads(json.dumps(demo.to_dict()))) == demo
    merged = OmegaConf.merge(OmegaConf.structured(WorldConfig), OmegaConf.structured(demo), {"recall": 0.8})
    assert OmegaConf.to_object(merged) == dataclasses.replace(demo, recall=0.8)


def test_keyframe_rate_sets_the_annotated_frames():
    from wsad_core.synthetic.export import ava_rows

    config = dataclasses.replace(get_preset("tiny"), keyframe_hz=5, figures=(1, 1), bystander_probability=0.0)
    scene = simulate_video(config, 3)
    times = sorted({row.timestamp for row in ava_rows(scene, hz=5)})
    assert times == pytest.approx([frame / 25 for frame in range(0, scene.nframes, 5)])
    at_1hz = sorted({row.timestamp for row in ava_rows(scene)})
    assert at_1hz == pytest.approx(list(range(0, -(-scene.nframes // 25))))
    with pytest.raises(ValueError, match="keyframe_hz must divide fps=25"):
        dataclasses.replace(config, keyframe_hz=4)
