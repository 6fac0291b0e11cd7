"""The runner records each finished entry at once and skips finished entries when rerun."""

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from wsad_core.cli import main
from wsad_core.errors import WsadError
from wsad_core.project import Project
from wsad_core.project import runs as run_ops
from wsad_core.reproduce import Plan
from wsad_core.reproduce import runner as runner_module
from wsad_core.reproduce.jobs import Job, Resolved, plan_jobs
from wsad_core.reproduce.runner import generate_worlds, learning_curve, run_plan
from wsad_core.reproduce.store import ResultStore
from wsad_core.reproduce.worlds import seed_world

PLAN = Plan(name="fake", preset="tiny", model="cpu-tiny", seeds=(0, 1), epochs=1,
            subclip_seconds=(1.0, None), bag_grid=((4, 4),), recalls=(0.5,))


class Boom(Exception):
    pass


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """run_job and resolve replaced: no world, no training; calls are counted."""
    calls = []
    fail_at = {"key": None}

    def resolve(job, plan, world):
        # the sub-clip sweep's whole-video point and the (4, 4) bag point are the table's runs
        variant = job.variant
        same = job.study == "table" or job.point == "video" or job.point.startswith("4x4")
        name = f"{variant}" if same else job.key.rsplit("/", 1)[0]
        return Resolved(tmp_path, (), f"seed{job.seed}|{name}", {"note": job.point})

    def run_job(job, plan, world, log):
        if job.key == fail_at["key"]:
            raise Boom(job.key)
        calls.append(job.key)
        return {"study": job.study, "point": job.point, "seed": job.seed, "variant": job.variant,
                "identity": resolve(job, plan, world).identity, "frame_ap": 0.5, "video_ap": None,
                "train_seconds": 0.0, "eval_seconds": 0.0}

    monkeypatch.setattr(runner_module, "resolve", resolve)
    monkeypatch.setattr(runner_module, "run_job", run_job)
    return calls, fail_at


def test_resume_skips_finished_entries(fake, tmp_path):
    calls, fail_at = fake
    path = tmp_path / "results.json"
    jobs = plan_jobs(PLAN)
    fail_at["key"] = jobs[8].key
    with pytest.raises(Boom):
        run_plan(PLAN, tmp_path, ResultStore(path, PLAN.to_dict()), log=lambda _: None)
    finished = json.loads(path.read_text())["entries"]
    assert list(finished) == [job.key for job in jobs[:8]]  # written as each one finished
    assert calls == list(finished)

    calls.clear()
    fail_at["key"] = None
    store = run_plan(PLAN, tmp_path, ResultStore(path, PLAN.to_dict()), log=lambda _: None)
    assert set(store.entries) == {job.key for job in jobs}
    assert jobs[8].key == calls[0] and not set(calls) & set(finished)
    # shared runs are recorded, not retrained
    shared = {key for key, entry in store.entries.items() if "shared_with" in entry}
    assert "subclip/video/seed0" in shared and "bags/4x4-mil_max_unc/seed1" in shared
    assert not shared & set(calls)
    assert store.entries["subclip/video/seed0"]["shared_with"] == "table/mil_max_unc/seed0"
    assert store.entries["subclip/video/seed0"]["study"] == "subclip"

    calls.clear()
    run_plan(PLAN, tmp_path, ResultStore(path, PLAN.to_dict()), log=lambda _: None)
    assert calls == []


def test_parallel_runs_record_the_runs_already_trained_before_training_the_rest(fake, tmp_path, monkeypatch):
    """A sweep point that is a run already in the results (the sub-clip sweep's whole video is
    the table's run) is recorded before the others train, so that a report of a run still in
    progress, or one interrupted, has it."""
    calls, fail_at = fake
    path = tmp_path / "results.json"
    fail_at["key"] = "subclip/1s/seed0"
    with pytest.raises(Boom):
        run_plan(PLAN, tmp_path, ResultStore(path, PLAN.to_dict()), log=lambda _: None)
    assert "table/mil_max_unc/seed0" in json.loads(path.read_text())["entries"]
    fail_at["key"] = None
    recorded_when_training_began = []
    fake_run_job = runner_module.run_job

    def run_job(job, plan, world, log):
        if not recorded_when_training_began:
            recorded_when_training_began.append(set(json.loads(path.read_text())["entries"]))
        return fake_run_job(job, plan, world, log)

    monkeypatch.setattr(runner_module, "run_job", run_job)
    monkeypatch.setattr(runner_module, "generate_worlds", lambda *args: None)  # the fake needs no world
    # threads instead of processes, so that the replaced functions are the ones called
    monkeypatch.setattr(runner_module, "ProcessPoolExecutor", lambda workers, **_: ThreadPoolExecutor(workers))
    said = []
    run_plan(PLAN, tmp_path, ResultStore(path, PLAN.to_dict()), log=said.append, parallel=2)
    assert "subclip/video/seed0" in recorded_when_training_began[0]
    assert "subclip/video/seed0: same run as table/mil_max_unc/seed0" in said


def test_each_study_trains_in_its_own_world(fake, tmp_path, monkeypatch):
    plan = dataclasses.replace(PLAN, seeds=(0,), subclip_preset="demo")
    worlds = []
    monkeypatch.setattr(runner_module, "run_job", lambda job, plan, world, log: worlds.append(
        (job.study, world.preset, world.root.name)) or {"study": job.study, "identity": job.key,
                                                          "frame_ap": 0.5, "video_ap": None,
                                                          "train_seconds": 0.0, "eval_seconds": 0.0})
    run_plan(plan, tmp_path, ResultStore(tmp_path / "r.json", plan.to_dict()), log=lambda _: None)
    assert {(study, preset) for study, preset, _ in worlds} == {
        ("table", "tiny"), ("bags", "tiny"), ("noise", "tiny"), ("subclip", "demo")}
    assert {root for study, _, root in worlds if study == "subclip"} == {"demo-seed0"}


def test_results_of_a_plan_without_a_newer_field_resume(tmp_path):
    path = tmp_path / "results.json"
    older = {key: value for key, value in PLAN.to_dict().items() if key != "subclip_preset"}
    ResultStore(path, older).record("table/naive/seed0", {"study": "table"})
    assert ResultStore(path, PLAN.to_dict()).done("table/naive/seed0")  # the field is unset: same plan
    with pytest.raises(WsadError, match="another plan"):
        ResultStore(path, dataclasses.replace(PLAN, subclip_preset="demo").to_dict())


def test_more_seeds_extend_a_results_file(tmp_path):
    path = tmp_path / "results.json"
    ResultStore(path, PLAN.to_dict()).record("table/naive/seed0", {"study": "table"})
    for fewer_or_other in ((0,), (1, 2), (1, 0, 2)):
        with pytest.raises(WsadError, match="another plan"):
            ResultStore(path, dataclasses.replace(PLAN, seeds=fewer_or_other).to_dict())
    with pytest.raises(WsadError, match="another plan"):  # more seeds, but another setting too
        ResultStore(path, dataclasses.replace(PLAN, seeds=(0, 1, 2), epochs=2).to_dict())
    more = dataclasses.replace(PLAN, seeds=(0, 1, 2)).to_dict()
    store = ResultStore(path, more)
    assert store.done("table/naive/seed0")
    store.record("table/naive/seed2", {"study": "table"})
    assert json.loads(path.read_text())["plan"]["seeds"] == [0, 1, 2]
    with pytest.raises(WsadError, match="another plan"):  # the file now holds seed 2
        ResultStore(path, PLAN.to_dict())


def test_more_studies_extend_a_results_file(tmp_path):
    path = tmp_path / "results.json"
    table_only = dataclasses.replace(PLAN, seeds=(0,), studies=("table",))
    ResultStore(path, table_only.to_dict()).record("table/naive/seed0", {"study": "table"})
    with pytest.raises(WsadError, match="another plan"):  # a sweep added, but another setting too
        ResultStore(path, dataclasses.replace(table_only, studies=("table", "noise"), lr=0.2).to_dict())
    both = dataclasses.replace(table_only, seeds=(0, 1), studies=("noise", "table"))
    store = ResultStore(path, both.to_dict())
    assert store.done("table/naive/seed0")
    store.record("noise/recall0.50-mil_max/seed0", {"study": "noise"})
    assert set(json.loads(path.read_text())["plan"]["studies"]) == {"table", "noise"}
    for narrower in (table_only, dataclasses.replace(table_only, seeds=(0, 1))):
        with pytest.raises(WsadError, match="another plan"):  # the file now holds the noise sweep
            ResultStore(path, narrower.to_dict())


def test_results_of_an_older_world_do_not_resume(tmp_path):
    path = tmp_path / "results.json"
    older = {key: value for key, value in PLAN.to_dict().items() if key != "world_version"}
    ResultStore(path, older).record("table/naive/seed0", {"study": "table"})
    with pytest.raises(WsadError, match="another plan"):
        ResultStore(path, PLAN.to_dict())


def test_store_refuses_another_plan(tmp_path):
    path = tmp_path / "results.json"
    store = ResultStore(path, PLAN.to_dict())
    store.record("table/naive/seed0", {"study": "table"})
    assert ResultStore(path, PLAN.to_dict()).done("table/naive/seed0")
    other = Plan(name="fake", preset="tiny", model="cpu-tiny", seeds=(0,), epochs=2)
    with pytest.raises(WsadError, match="another plan"):
        ResultStore(path, other.to_dict())


def test_learning_curve_from_events():
    events = [
        {"event": "start", "time": 100.0},
        {"event": "step", "time": 101.0, "step": 1},
        {"event": "epoch", "time": 102.5, "epoch": 1, "step": 2, "train_loss": 0.7, "val_frame_ap": 0.25},
        {"event": "epoch", "time": 105.0, "epoch": 2, "step": 4, "train_loss": 0.6, "val_frame_ap": "nan"},
    ]
    curve = learning_curve(events)
    assert curve[0] == {"epoch": 1, "step": 2, "seconds": 2.5, "train_loss": 0.7, "val_frame_ap": 0.25}
    assert curve[1]["val_frame_ap"] is None


@pytest.mark.slow
def test_a_run_of_an_older_version_is_reused_and_a_killed_one_resumes(tmp_path):
    root = tmp_path / "P"
    assert main(["synth", "demo", str(root), "--preset", "tiny"]) == 0
    job = Job("table", "mil_max", 0, "mil_max")
    resolved = Resolved(root, ("model=cpu-tiny", "data.train_split=null", "data.tubelet_length=8", "epochs=1"),
                        "P|mil_max", {})
    said = []
    with Project.open(root) as project:
        first = runner_module._train(project, job, resolved, said.append)
        assert first.status == "done" and said == []
        older = {key: value for key, value in first.config.items() if key != "naive_warmup_epochs"}
        with project.transaction() as session:
            run_ops.get_run(session, first.id).config = json.dumps(older)
            run_ops.update_run(session, first.id, status="running")  # killed before it said so
        assert project.run(first.id).config == older
        again = runner_module._train(project, job, resolved, said.append)
    assert again.id == first.id and again.status == "done"
    assert said == [f"  {job.key}: resuming run {first.id}"]
    assert not runner_module._same_config({**older, "a_removed_option": 1}, first.config)


@pytest.mark.slow
def test_the_backbone_is_pretrained_once_and_the_runs_load_it(tmp_path):
    import torch

    from wsad_core.reproduce.jobs import resolve
    from wsad_core.reproduce.plan import with_pretraining
    from wsad_core.train.setup import load_snapshot

    plan = with_pretraining(dataclasses.replace(PLAN, seeds=(0,), extra_overrides=("data.tubelet_length=8",)),
                            "actor-clips", seed=7, epochs=1)
    said = []
    backbone = runner_module.ensure_backbone(plan, tmp_path, said.append)
    assert backbone == plan.backbone_file(tmp_path) and backbone.is_file()
    assert said[0] == "pretrain/actor-clips/seed7: pretraining the backbone (1 epochs)"
    pretraining = seed_world(tmp_path, "tiny", 7)
    with Project.open(pretraining.main_dir) as project:
        (run,) = project.runs()
        assert run.status == "done" and run.config["mode"] == "naive"
        assert load_snapshot(project.run_dir(run.id) / "snapshot.json")["detection_set"] == \
            pretraining.ensure_actor_clip_set()
    kept = torch.load(backbone, weights_only=True)
    assert runner_module.ensure_backbone(plan, tmp_path, said.append) == backbone and len(said) == 2  # once
    world = seed_world(tmp_path, "tiny", 0)
    resolved = resolve(Job("table", "mil_max", 0, "mil_max"), plan, world)
    with Project.open(resolved.project) as project:
        run = runner_module._train(project, Job("table", "mil_max", 0, "mil_max"), resolved, said.append)
        assert run.status == "done" and run.config["pretrained"] == str(backbone.resolve())
        trained = torch.load(project.run_dir(run.id) / "checkpoints" / "last.pt", weights_only=True)
    assert set(kept) == set(trained)


def test_worlds_not_built_yet_are_generated_side_by_side_as_one_at_a_time_would(tmp_path):
    worlds = [seed_world(tmp_path / "side", "tiny", seed) for seed in (0, 1, 2)]
    worlds[2].ensure_main()
    said = []
    generate_worlds(worlds, 2, said.append)
    assert said == ["generating 2 worlds, 2 at a time"]  # the built one is left as it is
    assert all(world.main_built for world in worlds)
    alone = seed_world(tmp_path / "alone", "tiny", 1)
    assert worlds[1].ensure_main() == alone.ensure_main()  # the same detections
    with Project.open(worlds[1].main_dir) as side, Project.open(alone.main_dir) as one:
        assert [v.name for v in side.videos()] == [v.name for v in one.videos()]
    generate_worlds(worlds, 2, said.append)
    assert len(said) == 1  # nothing left to generate


def test_the_command_line_sets_the_mil_warmup(monkeypatch, tmp_path):
    import wsad_core.reproduce as reproduce_package

    plans = []
    monkeypatch.setattr(reproduce_package, "reproduce", lambda plan, out, **_: plans.append(plan))
    assert main(["bench", "reproduce", "--out", str(tmp_path), "--quick", "--mil-warmup", "0.25"]) == 0
    assert main(["bench", "reproduce", "--out", str(tmp_path), "--quick", "--mil-warmup", "0"]) == 0
    assert [plan.mil_naive_warmup for plan in plans] == [0.25, None]


def test_the_command_line_chooses_the_backbone(monkeypatch, tmp_path):
    import wsad_core.reproduce as reproduce_package

    plans = []
    monkeypatch.setattr(reproduce_package, "reproduce", lambda plan, out, **_: plans.append(plan))
    assert main(["bench", "reproduce", "--out", str(tmp_path), "--quick", "--pretrain", "actor-clips"]) == 0
    assert main(["bench", "reproduce", "--out", str(tmp_path), "--quick", "--pretrain", "actor-clips",
                 "--pretrain-seed", "50"]) == 0
    assert main(["bench", "reproduce", "--out", str(tmp_path), "--quick", "--pretrain", "none"]) == 0
    assert [(p.pretrain, p.pretrain_seed) for p in plans] == [("actor-clips", 100), ("actor-clips", 50), (None, None)]
    assert main(["bench", "reproduce", "--out", str(tmp_path), "--quick", "--pretrain-seed", "50"]) != 0
    assert main(["bench", "reproduce", "--out", str(tmp_path), "--quick", "--pretrain", "kinetics"]) != 0
    assert len(plans) == 3
