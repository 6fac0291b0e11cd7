"""Worlds per seed: noisier detections of the same scenes, sub-clip projects, shared runs."""

import dataclasses
import json

import pytest

from wsad_core.detect import detection_sets
from wsad_core.errors import WsadError
from wsad_core.formats import write_ava_csv
from wsad_core.project import Project
from wsad_core.reproduce import quick_plan
from wsad_core.reproduce.jobs import Job, resolve
from wsad_core.reproduce.worlds import seed_world
from wsad_core.synthetic.world import FILES, WORLD_VERSION
from wsad_core.train import make_config


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = seed_world(tmp_path_factory.mktemp("reproduce"), "tiny", 4)
    built.ensure_main()
    return built


def test_main_is_built_once(world):
    key = world.ensure_main()
    assert (world.main_dir / "project.db").is_file()
    assert world.ensure_main() == key  # the note is reused, nothing regenerated
    assert world.video_gt == world.world_dir / "ucf_tubes.pkl"  # tiny has no every-frame ground truth


def test_a_world_of_an_older_generator_is_refused_not_reused(tmp_path):
    built = seed_world(tmp_path, "tiny", 5)
    built.ensure_main()
    manifest_path = built.world_dir / FILES["manifest"]
    manifest = json.loads(manifest_path.read_text())
    assert manifest["world_version"] == WORLD_VERSION
    del manifest["world_version"]  # as written before versions existed
    manifest_path.write_text(json.dumps(manifest))
    before = sorted(p.name for p in built.main_dir.iterdir())
    with pytest.raises(WsadError, match="world version 1"):
        seed_world(tmp_path, "tiny", 5).ensure_main()
    assert sorted(p.name for p in built.main_dir.iterdir()) == before


def test_redrawn_detections_match_the_world(world, tmp_path):
    """At the world's own recall the redraw is the world's detections file, row for row, so
    the other recalls differ from it only in the detector's recall."""
    redrawn = tmp_path / "detections.csv"
    write_ava_csv(world.redrawn_detections(world.manifest.config.recall), redrawn)
    assert redrawn.read_bytes() == world.manifest.path("detections").read_bytes()
    assert len(world.redrawn_detections(0.3)) < len(world.redrawn_detections(0.95))


def test_recall_sets(world):
    main = world.ensure_main()
    assert world.ensure_recall_set(world.manifest.config.recall) == main
    low = world.ensure_recall_set(0.5)
    assert low != main and world.ensure_recall_set(0.5) == low
    assert {main, low} <= {s.key for s in detection_sets(world.main_dir / "cache")}


def test_the_tuned_detection_set_covers_the_actors_of_the_same_scenes(world):
    import numpy as np

    from wsad_core.formats import read_ava_csv
    from wsad_core.synthetic.detector import box_iou

    main = world.ensure_main()
    tuned = world.ensure_tuned_set()
    assert tuned != main and world.ensure_tuned_set() == tuned
    assert tuned in {s.key for s in detection_sets(world.main_dir / "cache")}
    rows = read_ava_csv(world.world_dir / "detections_tuned.csv", kind="boxes")
    on_actors = on_bystanders = 0
    for scene in world.scenes():
        size = np.array([scene.width, scene.height] * 2)
        bystander = np.array([figure.bystander for figure in scene.figures])
        for row in (r for r in rows if r.video_id == scene.video_id):
            frame = round(row.timestamp * scene.fps)
            people = scene.visible[frame]
            iou = box_iou(np.array(row.box) * size, np.nan_to_num(scene.boxes[frame]))[0]
            hit = people & (iou >= 0.5)
            on_actors += bool((hit & ~bystander).any())
            on_bystanders += bool((hit & bystander).any() and not (hit & ~bystander).any())
    assert any(figure.bystander for scene in world.scenes() for figure in scene.figures)
    assert on_actors > 0.8 * len(rows) and on_bystanders == 0
    assert len(rows) < len(read_ava_csv(world.manifest.path("detections"), kind="boxes"))


def test_the_actor_clip_set_is_the_actors_true_boxes_where_they_act(world):
    import numpy as np

    from wsad_core.formats import read_ava_csv

    clips = world.ensure_actor_clip_set()
    assert clips not in (world.ensure_main(), world.ensure_tuned_set()) and world.ensure_actor_clip_set() == clips
    rows = read_ava_csv(world.world_dir / "detections_actor_clips.csv", kind="boxes")
    scenes = world.scenes()
    acting = sum(int(scene.labels().any(axis=2).sum()) for scene in scenes)
    assert len(rows) == acting > 0
    for scene in scenes:
        size = np.array([scene.width, scene.height] * 2)
        for row in (r for r in rows if r.video_id == scene.video_id):
            frame = round(row.timestamp * scene.fps)
            doing = [p for p in range(len(scene.figures)) if scene.labels()[frame, p].any()]
            assert all(not scene.figures[p].bystander for p in doing)
            truth = scene.boxes[frame, doing]
            assert np.abs(truth - np.array(row.box) * size).max(axis=1).min() < 0.1  # a true box, unjittered (3 decimals)


def test_a_pretrained_plan_starts_every_run_from_its_backbone(world):
    from wsad_core.reproduce.plan import with_pretraining

    plan = with_pretraining(quick_plan(4, preset="tiny"), "actor-clips")
    assert (plan.pretrain_seed, plan.pretrain_epochs) == (100, 16)
    out = world.root.parent.parent
    backbone = out / "pretrained" / "actor-clips-seed100-16ep.pt"
    assert plan.backbone_file(out) == backbone
    table = resolve(Job("table", "mil_max", 4, "mil_max"), plan, world)
    scratch = resolve(Job("table", "mil_max", 4, "mil_max"), quick_plan(4, preset="tiny"), world)
    assert f"pretrained={backbone.resolve()}" in table.overrides
    named = " pretrained=pretrained/actor-clips-seed100-16ep.pt"  # relative to the output folder
    assert named in table.identity and table.identity.replace(named, "") == scratch.identity
    assert with_pretraining(plan, None) == quick_plan(4, preset="tiny")
    with pytest.raises(WsadError, match="must not be one of"):
        with_pretraining(plan, "actor-clips", seed=4)
    with pytest.raises(WsadError, match="unknown pretraining"):
        with_pretraining(plan, "kinetics")
    with pytest.raises(WsadError, match="need pretrain"):
        dataclasses.replace(quick_plan(4, preset="tiny"), pretrain_seed=100)


def test_subclip_project(world):
    seconds = 1.0
    root, key, stats = world.ensure_subclip(seconds)
    assert world.ensure_subclip(seconds) == (root, key, stats)
    whole = world.whole_video_stats
    assert stats["clips"] > whole["clips"] == len(world.manifest.videos)
    assert stats["labels_per_clip"] < whole["labels_per_clip"]
    with Project.open(root) as project:
        clips = project.clips(labelled=True)
        assert len(clips) == stats["clips"]
        assert max(clip.end - clip.start for clip in clips) <= seconds + 1e-6
        assert {v.split for v in project.videos()} == {"train", "val", "test"}


def test_shared_runs_resolve_alike(world):
    plan = quick_plan(4, preset="tiny")
    table = resolve(Job("table", "mil_max_unc", 4, "mil_max_unc"), plan, world)
    video = resolve(Job("subclip", "video", 4, "mil_max_unc", subclip=None), plan, world)
    assert video.identity == table.identity and video.info["clips"] == len(world.manifest.videos)
    own_recall = world.manifest.config.recall
    same = resolve(Job("noise", "r", 4, "mil_max_unc", recall=own_recall), plan, world)
    assert same.identity == table.identity
    noisy = resolve(Job("noise", "r", 4, "mil_max_unc", recall=0.5), plan, world)
    assert noisy.identity != table.identity and noisy.project == world.main_dir
    bags = resolve(Job("bags", "4x4", 4, "mil_max_unc", ("data.bags_per_batch=4", "data.tubelets_per_bag=4")),
                   plan, world)
    assert bags.identity == table.identity
    sub = resolve(Job("subclip", "1s", 4, "mil_max_unc", subclip=1.0), plan, world)
    assert sub.project != world.main_dir and sub.info["seconds"] < 1.0  # tiny's videos are shorter than 8 s


def test_sweep_points_train_as_many_steps(world):
    """More bags (shorter sub-clips) or fewer bags per batch: proportionally fewer epochs."""
    plan = quick_plan(4, preset="tiny")
    sub = resolve(Job("subclip", "1s", 4, "mil_max_unc", subclip=1.0), plan, world)
    _, _, stats = world.ensure_subclip(sub.info["seconds"])
    expected = max(1, round(plan.epochs * len(world.manifest.videos) / stats["clips"]))
    assert sub.info["epochs"] == expected and f"epochs={expected}" in sub.overrides
    assert f"optim.warmup_epochs={expected / plan.epochs:.4g}" in sub.overrides
    bags = resolve(Job("bags", "1x16", 4, "mil_max", ("data.bags_per_batch=1", "data.tubelets_per_bag=16"),
                       info={"bags_per_batch": 1, "tubelets_per_bag": 16}), plan, world)
    assert f"epochs={round(plan.epochs / 4)}" in bags.overrides


def test_a_naive_warmup_is_the_same_fraction_of_every_mil_schedule(world):
    """The plan's MIL warm-up reaches MIL runs only, as a share of each run's own epochs, and
    the configs it makes are valid (naive and full would reject a warm-up)."""
    plan = dataclasses.replace(quick_plan(4, preset="tiny"), epochs=16, mil_naive_warmup=0.25)
    warmups = {}
    for variant in ("naive", "full", "mil_mean", "mil_max_unc"):
        overrides = resolve(Job("table", variant, 4, variant), plan, world).overrides
        warmups[variant] = make_config(list(overrides)).naive_warmup_epochs
    assert warmups == {"naive": 0.0, "full": 0.0, "mil_mean": 4.0, "mil_max_unc": 4.0}
    bags = resolve(Job("bags", "1x16", 4, "mil_max", ("data.bags_per_batch=1", "data.tubelets_per_bag=16"),
                       info={"bags_per_batch": 1, "tubelets_per_bag": 16}), plan, world)
    assert make_config(list(bags.overrides)).naive_warmup_epochs == 1.0  # 4 epochs of the same steps
    plain = resolve(Job("table", "mil_max", 4, "mil_max"), dataclasses.replace(plan, mil_naive_warmup=None), world)
    assert not any(item.startswith("naive_warmup_epochs") for item in plain.overrides)
