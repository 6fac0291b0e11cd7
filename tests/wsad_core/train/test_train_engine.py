"""The training engine on the synthetic tiny world, on CPU, with real models and videos."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

from wsad_core.data import video_cache
from wsad_core.errors import WsadError
from wsad_core.mil.priors import label_rates, mean_draw_size
from wsad_core.project import Project
from wsad_core.project.run_liveness import ORPHAN_ERROR, settle_orphaned_runs
from wsad_core.train import make_config, read_events, train
from wsad_core.train.engine import Trainer
from wsad_core.train.events import EventLog
from wsad_core.train.setup import make_snapshot

QUICK = ["model=cpu-tiny", "data.train_split=null", "data.tubelet_length=8", "data.bags_per_batch=2"]


def losses(events):
    return [e["loss"] for e in events if e["event"] == "step"]


def test_a_cpu_preset_trains_and_its_loss_falls(tiny_project):
    # All four bags in one batch, so the curve is not dominated by which bags a batch holds.
    config = make_config([*QUICK, "epochs=25", "data.bags_per_batch=4", "optim.lr=0.02"])
    with Project.open(tiny_project) as project:
        run = train(project, config, stdout=None)
        events = read_events(project.run_dir(run.id) / "events.jsonl")
        assert run.status == "done" and run.metrics["epochs"] == 25
        assert project.run(run.id).status == "done"
    curve = losses(events)
    first, last = sum(curve[:3]) / 3, sum(curve[-3:]) / 3
    assert last < 0.5 * first, (first, last)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and "checkpoint" in kinds and "epoch" in kinds
    step = next(e for e in events if e["event"] == "step")
    assert {"epoch", "step", "loss", "lr", "clips_per_s", "eta_s"} <= set(step)


def test_loader_workers_that_outlive_an_epoch_load_each_epochs_batches(tiny_project):
    """The loader's worker processes last the whole run; every epoch they must still draw
    that epoch's tubelets and flips, exactly as loading in the main process does (pixels may
    differ by one level where the resize rounds a half differently in another process)."""
    epochs = {}
    with Project.open(tiny_project) as project:
        for workers in (0, 2):
            config = make_config([*QUICK, "epochs=3", f"data.num_workers={workers}"])
            trainer = Trainer(project, project.create_run(f"workers{workers}", {}), config,
                              make_snapshot(project, config), EventLog(None, enabled=False))
            epochs[workers] = []
            for epoch in range(3):
                trainer.state.epoch = epoch
                epochs[workers].append(list(trainer._loader()))
            trainer.close()
    assert [len(batches) for batches in epochs[2]] == [len(batches) for batches in epochs[0]]
    for main, worker in zip(sum(epochs[0], []), sum(epochs[2], [])):
        # (the second trainer reads the tubelets the first one cached, rounded to float32)
        assert torch.allclose(main.boxes, worker.boxes, atol=1e-4)
        assert torch.equal(main.targets, worker.targets)
        assert torch.equal(main.bag_index, worker.bag_index)
        assert (main.clips.int() - worker.clips.int()).abs().max() <= 1
    # Not vacuous: the epochs draw different tubelets, flips or orders.
    drawn = [tuple(batch.boxes.flatten().tolist()) for epoch in epochs[0] for batch in epoch]
    assert len(set(drawn)) > len(epochs[0][0])


def test_resizing_on_the_device_gives_the_model_what_the_loader_would(tiny_project):
    """data.resize_on=device (the default on CUDA): the loader hands over clips at the
    video's size and the step resizes the batch; the model reads the same pathways and boxes
    as when the loader resizes (to the loader's rounding to 8 bits), and such a run trains."""
    inputs = {}
    with Project.open(tiny_project) as project:
        for place in ("loader", "device"):
            config = make_config([*QUICK, f"data.resize_on={place}"])
            trainer = Trainer(project, project.create_run(f"resize-{place}", {}), config,
                              make_snapshot(project, config), EventLog(None, enabled=False))
            batch = next(iter(trainer._loader()))
            inputs[place] = (batch.clips.shape, trainer.model_input(batch.to(trainer.device)))
            trainer.close()
        run = train(project, make_config([*QUICK, "data.resize_on=device", "max_steps=2"]), stdout=None)
        assert run.status == "done" and run.metrics["steps"] == 2
    (loader_shape, by_loader), (device_shape, by_device) = inputs["loader"], inputs["device"]
    assert device_shape[-1] < loader_shape[-1]  # the loader's clips were smaller
    slow, fast, boxes = by_device
    assert slow.shape == by_loader[0].shape and fast.shape == by_loader[1].shape
    half_a_level = 0.5 / 255 / min(trainer.preset.std) + 1e-5
    assert float((fast - by_loader[1]).abs().max()) <= half_a_level
    assert float((slow - by_loader[0]).abs().max()) <= half_a_level
    assert torch.allclose(boxes, by_loader[2], atol=1e-3)
    with pytest.raises(WsadError, match="data.resize_on"):
        make_config(["data.resize_on=gpu"])


@pytest.mark.parametrize("mode", ["mil", "full"])
def test_a_prior_classifier_bias_starts_the_first_bag_scores_at_the_label_rates(tiny_project, mode):
    config = make_config([*QUICK, f"mode={mode}", "classifier_bias=prior", "data.tubelets_per_bag=2"])
    with Project.open(tiny_project) as project:
        trainer = Trainer(project, project.create_run(f"prior-{mode}", {}), config,
                          make_snapshot(project, config), EventLog(None, enabled=False))
        trainer.close()
    bags = trainer.dataset.bags
    rates = label_rates(bags, trainer.labels)
    prior = torch.sigmoid(trainer.model.classifier.bias.detach()).double().numpy()
    seen = (rates > 0) & (rates < 1)  # labels in no or every bag start at a clamped, finite logit
    assert seen.any() and np.isfinite(trainer.model.classifier.bias.detach().numpy()).all()
    if mode == "mil":  # max over the tubelets a bag is drawn to
        draw = mean_draw_size(bags, 2)
        assert 1 < draw <= 2
        assert np.allclose(1 - (1 - prior[seen]) ** draw, rates[seen], atol=1e-6)
    else:  # one box, its own target
        assert np.allclose(prior[seen], rates[seen], atol=1e-6)
    with pytest.raises(WsadError, match="classifier_bias"):
        make_config(["classifier_bias=learned"])


def cache_events(project, overrides):
    config = make_config([*QUICK, "max_steps=1", *overrides])
    run = train(project, config, stdout=None)
    events = read_events(project.run_dir(run.id) / "events.jsonl")
    return [e for e in events if e["event"] == "cache"], [e for e in events if e["event"] == "warning"]


def test_the_run_says_how_many_videos_its_cache_holds_and_warns_when_it_is_too_small(tiny_project):
    with Project.open(tiny_project) as project:
        (sized,), warnings = cache_events(project, [])  # the default: sized from the free memory
        assert sized["held"] == sized["videos"] > 0 and sized["budget_mb"] > 0 and not warnings
        assert sized["resized_on"] == "loader"  # on a CPU (the GPU's: "device")
        (starved,), (warning,) = cache_events(project, ["data.cache_mb=0"])
    assert (starved["held"], starved["budget_mb"]) == (0, 0)
    message = warning["message"]
    assert f"holds 0 of the {starved['videos']} training videos" in message
    needed = int(message.rsplit("data.cache_mb=", 1)[1].split()[0])
    assert needed >= max(1, sized["held_mb"])  # what the sized run held, rounded up


@pytest.mark.parametrize("mode", ["mode=naive", "mode=full", "loss=bce aggregation=mean", "aggregation=lse r=2", "aggregation=gem r=3",
                                  "naive_warmup_epochs=0.5"])
def test_every_variant_of_table_1_runs(tiny_project, mode):
    config = make_config([*QUICK, *mode.split(), "max_steps=2"])
    with Project.open(tiny_project) as project:
        run = train(project, config, stdout=None)
    assert run.status == "done" and run.metrics["steps"] == 2


def test_epoch_events_carry_validation_frame_ap(tiny_project, monkeypatch):
    """Every epoch is validated; the validation videos are decoded once for the whole run."""
    decoded = []
    decode = video_cache._decode
    monkeypatch.setattr(video_cache, "_decode", lambda reader, side: decoded.append(reader.path) or decode(reader, side))
    config = make_config([*QUICK, "epochs=3", "val_split=test"])
    with Project.open(tiny_project) as project:
        run = train(project, config, stdout=None)
        epochs = [e for e in read_events(project.run_dir(run.id) / "events.jsonl") if e["event"] == "epoch"]
        test_videos = {str(v.path) for v in project.videos() if v.split == "test"}
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert all(0.0 <= e["val_frame_ap"] <= 1.0 for e in epochs)
    # Once for training (QUICK trains on every video) and once for the three validations.
    assert sorted(str(path) for path in decoded if str(path) in test_videos) == sorted(list(test_videos) * 2)


def test_a_budget_that_ends_inside_an_epoch_still_closes_the_curve(tiny_project):
    # Two bags per batch over the tiny world's training bags: several steps per epoch.
    config = make_config([*QUICK, "epochs=5", "max_steps=3", "keep_checkpoints=true", "val_split=test"])
    with Project.open(tiny_project) as project:
        run = train(project, config, stdout=None)
        events = read_events(project.run_dir(run.id) / "events.jsonl")
        names = sorted(p.name for p in (project.run_dir(run.id) / "checkpoints").iterdir())
    epochs = [e for e in events if e["event"] == "epoch"]
    last = epochs[-1]
    assert last["partial"] is True and last["step"] == 3 and 0.0 <= last["val_frame_ap"] <= 1.0
    per_epoch = next(e["step"] for e in epochs if not e.get("partial"))
    assert per_epoch < 3 and last["epoch"] == pytest.approx(3 / per_epoch, abs=1e-3)
    assert "step-000003.pt" in names


def test_periodic_checkpoints_keep_step_files_and_never_overwrite_an_epoch(tiny_project):
    config = make_config([*QUICK, "epochs=2", "keep_checkpoints=true", "checkpoint_every_steps=1"])
    with Project.open(tiny_project) as project:
        run = train(project, config, stdout=None)
        folder = project.run_dir(run.id) / "checkpoints"
        events = read_events(project.run_dir(run.id) / "events.jsonl")
        epoch_one = torch.load(folder / "epoch-001.pt", weights_only=True)
    ends = {e["epoch"]: e["step"] for e in events if e["event"] == "epoch" and not e.get("partial")}
    partial = [e for e in events if e["event"] == "epoch" and e.get("partial")]
    assert sorted(ends) == [1, 2] and epoch_one["step"] == ends[1] and epoch_one["batch"] == 0
    # Mid-epoch steps get their own files and a fractional epoch; epoch ends do not repeat.
    mid_steps = [s for s in range(1, ends[2]) if s != ends[1]]
    assert sorted(e["step"] for e in partial) == mid_steps
    assert all(0 < e["epoch"] % 1 for e in partial)
    assert {f"step-{s:06d}.pt" for s in mid_steps} <= {p.name for p in folder.iterdir()}


def test_labels_are_snapshotted_when_a_run_starts(tiny_project):
    with Project.open(tiny_project) as project:
        run = train(project, make_config([*QUICK, "max_steps=1"]), stdout=None)
        snapshot = json.loads((project.run_dir(run.id) / "snapshot.json").read_text())
        clip = project.clips(labelled=True)[0]
        project.set_clip_labels(clip.id, [])
        again = json.loads((project.run_dir(run.id) / "snapshot.json").read_text())
    assert again == snapshot and any(c["labels"] for c in snapshot["clips"])


def run_cli(project, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "wsad_core", "train", "-p", str(project), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigterm_checkpoints_and_resume_continues_exactly(tiny_project, tmp_path):
    args = [*QUICK, "epochs=3", "seed=3"]
    reference = subprocess.run(
        [sys.executable, "-m", "wsad_core", "train", "-p", str(tiny_project), "--name", "ref", *args],
        capture_output=True, text=True, timeout=300,
    )
    assert reference.returncode == 0, reference.stderr
    expected = losses([json.loads(line) for line in reference.stdout.splitlines()])

    child = run_cli(tiny_project, "--name", "interrupted", *args)
    seen = []
    for line in child.stdout:
        event = json.loads(line)
        seen.append(event)
        if event["event"] == "step" and event["step"] == 3:
            child.send_signal(signal.SIGTERM)
    child.wait(timeout=120)
    assert child.returncode == 0, child.stderr.read()
    assert seen[-1]["event"] == "stopped"
    stopped_at = seen[-1]["steps"]
    with Project.open(tiny_project) as project:
        run = next(r for r in project.runs() if r.name == "interrupted")
        assert run.status == "stopped"
    resumed = subprocess.run(
        [sys.executable, "-m", "wsad_core", "train", "-p", str(tiny_project), "--resume", str(run.id)],
        capture_output=True, text=True, timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    events = [json.loads(line) for line in resumed.stdout.splitlines()]
    assert events[0]["resumed_at"] == stopped_at
    combined = losses(seen) + losses(events)
    assert len(combined) == len(expected)
    assert combined == pytest.approx(expected, rel=1e-4, abs=1e-6)
    with Project.open(tiny_project) as project:
        assert project.run(run.id).status == "done"
        log = read_events(project.run_dir(run.id) / "events.jsonl")
        assert [e["event"] for e in log].count("start") == 2


def test_a_killed_run_is_settled_as_stopped_and_resumes_and_a_live_one_cannot_be_resumed(tiny_project):
    child = run_cli(tiny_project, "--name", "killed", *QUICK, "epochs=8")
    try:
        for line in child.stdout:
            event = json.loads(line)
            if event["event"] == "start":
                run_id = event["run"]
            if event["event"] == "checkpoint":
                break
        with Project.open(tiny_project) as project:
            with pytest.raises(WsadError, match=f"run {run_id} is being trained by another process"):
                train(project, resume=run_id, stdout=None)
            assert settle_orphaned_runs(project) == []
            assert project.run(run_id).status == "running"
    finally:
        child.kill()  # as the out-of-memory killer would: no status written
        child.wait(timeout=60)
    with Project.open(tiny_project) as project:
        assert project.run(run_id).status == "running"
        assert settle_orphaned_runs(project) == [run_id]
        assert (project.run(run_id).status, project.run(run_id).error) == ("stopped", ORPHAN_ERROR)
        assert train(project, resume=run_id, stdout=None).status == "done"


def test_a_diverging_loss_stops_the_run_with_a_clear_message(tiny_project):
    config = make_config([*QUICK, "epochs=50", "optim.lr=1e20", "optim.clip_grad=0", "optim.warmup_epochs=0"])
    with Project.open(tiny_project) as project:
        with pytest.raises(WsadError, match="the loss became"):
            train(project, config, stdout=None)
        run = project.runs()[-1]
        assert run.status == "failed" and "last good checkpoint" in run.error
        checkpoint = project.run_dir(run.id) / "checkpoints" / "last.pt"
        if checkpoint.exists():
            state = torch.load(checkpoint, weights_only=True)
            assert all(torch.isfinite(t).all() for t in state["model"].values() if t.is_floating_point())


def test_bad_options_are_refused_before_a_run_exists(tiny_project):
    with pytest.raises(WsadError, match="unknown mode"):
        make_config(["mode=magic"])
    with pytest.raises(WsadError, match="bad training option"):
        make_config(["epochs=many"])
    with Project.open(tiny_project) as project:
        assert project.runs() == []


def test_fp16_scales_the_loss_and_a_resume_restores_the_scale(tiny_project):
    """fp16 gradients underflow unscaled: amp=fp16 trains through a GradScaler whose scale is
    checkpointed and resumed (bf16 and fp32 need none, and keep it off)."""
    config = make_config([*QUICK, "epochs=2", "amp=fp16", "device=cpu"])
    with Project.open(tiny_project) as project:
        run = train(project, config, stdout=None)
        assert run.status == "done"
        assert all(torch.isfinite(torch.tensor(losses(read_events(project.run_dir(run.id) / "events.jsonl")))))
        path = project.run_dir(run.id) / "checkpoints" / "last.pt"
        state = torch.load(path, weights_only=True)
        assert state["scaler"]["scale"] > 1.0
        state["scaler"]["scale"] = 1024.0
        torch.save(state, path)
        snapshot = make_snapshot(project, config)
        trainer = Trainer(project, run, config, snapshot, EventLog(None, enabled=False))
        trainer.resume()
        assert trainer.scaler.is_enabled() and trainer.scaler.get_scale() == 1024.0
        plain = Trainer(project, run, make_config([*QUICK, "amp=bf16", "device=cpu"]), snapshot,
                        EventLog(None, enabled=False))
        assert not plain.scaler.is_enabled()
