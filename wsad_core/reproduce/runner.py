"""Runs the jobs of a plan: train, evaluate on the test split, record, move on.

A job whose entry is in the results file is skipped. A run interrupted by Ctrl-C or SIGTERM
is stopped at a checkpoint by the training engine; the next invocation finds it by its name
and configuration and resumes it instead of starting over. A run that finished training but was not evaluated
is evaluated without retraining.

With ``parallel`` > 1, that many jobs train at once, each in its own process (a GPU or a
many-core machine has room for several small runs): the worlds are built first (several
generated side by side, then what each study derives from them in this process), and the
projects' SQLite files (WAL, busy timeout) take the runs' rows from all.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from wsad_core.errors import WsadError
from wsad_core.evaluate.run_eval import RunEvaluation, evaluate_run
from wsad_core.infer.predict import PredictOptions
from wsad_core.project import Project, RunRecord
from wsad_core.project.run_liveness import settle_orphaned_runs
from wsad_core.reproduce.jobs import Job, Resolved, plan_jobs, resolve
from wsad_core.reproduce.plan import Plan
from wsad_core.reproduce.pretraining import keep_backbone, pretraining_overrides
from wsad_core.reproduce.store import ResultStore, finite
from wsad_core.reproduce.worlds import TUNED_DETECTOR, SeedWorld, seed_world
from wsad_core.train import make_config, read_events, train
from wsad_core.train.config import to_dict
from wsad_core.train.setup import load_snapshot

Log = Callable[[str], None]


class Interrupted(WsadError):
    """Training was stopped by a signal; rerunning the same command resumes it."""


def learning_curve(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-epoch points of a run: seconds since it started, train loss, validation Frame AP."""
    start = next((e["time"] for e in events if e["event"] == "start"), None)
    return [
        {
            "epoch": e["epoch"],
            "step": e["step"],
            "seconds": None if start is None else round(e["time"] - start, 2),
            "train_loss": finite(e.get("train_loss")),
            "val_frame_ap": finite(e.get("val_frame_ap")),
        }
        for e in events
        if e["event"] == "epoch"
    ]


def _run_name(job: Job) -> str:
    return f"reproduce:{job.key}"


def _same_config(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a recorded run trained with ``wanted``: a run recorded before an option existed
    has its default, which the stored config is completed with; one with a field since removed
    is not the wanted run."""
    try:
        return to_dict(make_config(base=stored)) == wanted
    except WsadError:
        return False


def _train(project: Project, job: Job, resolved: Resolved, log: Log) -> RunRecord:
    config = make_config(list(resolved.overrides))
    wanted = to_dict(config)
    settle_orphaned_runs(project)  # a run killed mid-training (no status written) resumes too
    previous = [run for run in project.runs() if run.name == _run_name(job) and _same_config(run.config, wanted)]
    for run in reversed(previous):
        if run.status == "done":
            log(f"  {job.key}: run {run.id} already trained")
            return run
        checkpoint = project.run_dir(run.id) / "checkpoints" / "last.pt"
        if run.status == "stopped" and checkpoint.is_file():
            log(f"  {job.key}: resuming run {run.id}")
            return train(project, resume=run.id, stdout=None)
    return train(project, config, name=_run_name(job), stdout=None)


def run_job(job: Job, plan: Plan, world: SeedWorld, log: Log) -> dict[str, Any]:
    """Train and evaluate one job; its results entry."""
    resolved = resolve(job, plan, world)
    started = time.perf_counter()
    with Project.open(resolved.project) as project:
        run = _train(project, job, resolved, log)
        if run.status != "done":
            raise Interrupted(f"{job.key}: run {run.id} {run.status}; run the same command again to resume")
        trained = time.perf_counter()
        # Named, not left to the stored predictions', which may be the tuned set's after an interruption.
        trained_on = load_snapshot(project.run_dir(run.id) / "snapshot.json")["detection_set"]
        options = PredictOptions(tubelet_stride=plan.tubelet_stride, detections=trained_on)
        evaluation = evaluate_run(project, run.id, split=plan.eval_split, video_gt=world.video_gt, options=options)
        tuned = None
        if job.study == "table":
            tuned = evaluate_run(project, run.id, split=plan.eval_split, video_gt=world.video_gt,
                                 options=replace(options, detections=world.ensure_tuned_set()))
        events = read_events(project.run_dir(run.id) / "events.jsonl")
        run_dir = project.run_dir(run.id)
    frame, video = _metrics(evaluation)
    return {
        "study": job.study,
        "point": job.point,
        "seed": job.seed,
        "variant": job.variant,
        "identity": resolved.identity,
        "overrides": list(resolved.overrides),
        "info": resolved.info,
        "run": run.id,
        "run_dir": str(run_dir),
        "frame_ap": None if frame is None else frame["mAP"],
        "frame_ap_per_class": None if frame is None else frame["per_class"],
        "video_ap": None if video is None else video["mAP"].get("0.5"),
        "video_ap_0.2": None if video is None else video["mAP"].get("0.2"),
        "tuned_detector": None if tuned is None else _tuned_entry(tuned),
        "steps": run.metrics.get("steps") if run.metrics else None,
        "train_seconds": round(trained - started, 1),
        "eval_seconds": round(time.perf_counter() - trained, 1),
        "curve": learning_curve(events),
    }


def _metrics(evaluation: RunEvaluation) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    summary = evaluation.to_json()
    return summary["frame_ap"], summary["video_ap"]


def _tuned_entry(evaluation: RunEvaluation) -> dict[str, Any]:
    """The same run on the evaluation detector's boxes (the paper's UCF101-24 protocol)."""
    frame, video = _metrics(evaluation)
    return {
        **TUNED_DETECTOR,
        "detection_set": evaluation.detection_set,
        "frame_ap": None if frame is None else frame["mAP"],
        "video_ap": None if video is None else video["mAP"].get("0.5"),
        "video_ap_0.2": None if video is None else video["mAP"].get("0.2"),
    }


def ensure_backbone(plan: Plan, out: Path, log: Log = print) -> Path | None:
    """The plan's pretrained backbone under ``out``: trained once in its own world (resumed
    when interrupted), then kept at :meth:`Plan.backbone_file`; None for a random start."""
    target = plan.backbone_file(out)
    if target is None or target.is_file():
        return target
    world = seed_world(out, plan.preset, plan.pretrain_seed)
    world.ensure_main()
    detections = world.ensure_actor_clip_set()
    job = Job("pretrain", plan.pretrain, plan.pretrain_seed, "naive")
    overrides = pretraining_overrides(plan.model, plan.pretrain_epochs, plan.lr, detections)
    log(f"{job.key}: pretraining the backbone ({plan.pretrain_epochs} epochs)")
    started = time.perf_counter()
    with Project.open(world.main_dir) as project:
        run = _train(project, job, Resolved(world.main_dir, overrides, "", {}), log)
        if run.status != "done":
            raise Interrupted(f"{job.key}: run {run.id} {run.status}; run the same command again to resume")
        checkpoint = project.run_dir(run.id) / "checkpoints" / "last.pt"
    keep_backbone(checkpoint, target)
    log(f"{job.key}: run {run.id} in {time.perf_counter() - started:.0f} s; backbone {target}")
    return target


def run_plan(plan: Plan, out: Path, store: ResultStore, log: Log = print, parallel: int = 1) -> ResultStore:
    """Run every job of ``plan`` not yet in ``store``, recording each as it finishes;
    ``parallel`` jobs at a time (after the plan's pretraining, if any)."""
    jobs = plan_jobs(plan)
    worlds = {world_key(plan, job): seed_world(out, *world_key(plan, job)) for job in jobs}
    todo = [job for job in jobs if not store.done(job.key)]
    log(f"{len(jobs)} jobs, {len(jobs) - len(todo)} already done")
    if todo:
        ensure_backbone(plan, out, log)
    if parallel > 1:
        _run_parallel(todo, plan, worlds, store, log, parallel)
        return store
    for index, job in enumerate(todo, 1):
        world = worlds[world_key(plan, job)]
        entry = _record_shared(store, job, resolve(job, plan, world))
        if entry is not None:
            log(f"[{index}/{len(todo)}] {job.key}: same run as {entry['shared_with']}")
            continue
        log(f"[{index}/{len(todo)}] {job.key}: training")
        entry = run_job(job, plan, world, log)
        store.record(job.key, entry)
        log(f"[{index}/{len(todo)}] {job.key}: {_finished(entry)}")
    return store


def world_key(plan: Plan, job: Job) -> tuple[str, int]:
    """(preset, seed) of the world ``job`` trains in."""
    return plan.preset_of(job.study), job.seed


def _finished(entry: dict[str, Any]) -> str:
    return (f"Frame AP {_fmt(entry['frame_ap'])}, Video AP {_fmt(entry['video_ap'])} "
            f"({entry['train_seconds']:.0f} s training, {entry['eval_seconds']:.0f} s evaluation)")


def _record_shared(store: ResultStore, job: Job, resolved: Resolved) -> dict[str, Any] | None:
    shared = store.same_run(resolved.identity)
    if shared is None:
        return None
    entry = {**shared, "study": job.study, "point": job.point, "info": resolved.info,
             "shared_with": f"{shared['study']}/{shared['point']}/seed{shared['seed']}"}
    store.record(job.key, entry)
    return entry


def _child_threads(threads: int) -> None:
    torch.set_num_threads(threads)


def _run_parallel(
    todo: list[Job], plan: Plan, worlds: dict[tuple[str, int], SeedWorld], store: ResultStore, log: Log, parallel: int
) -> None:
    """Train the distinct runs of ``todo`` ``parallel`` at a time (each process gets an even
    share of this process's torch threads); jobs that are the same run as another are
    recorded when it is, at once when it is already in the results. Every run that finishes
    is recorded even if another fails; the first failure is raised at the end, and the jobs
    not yet started are not started."""
    generate_worlds([worlds[key] for key in dict.fromkeys(world_key(plan, job) for job in todo)], parallel, log)
    resolved = {job.key: resolve(job, plan, worlds[world_key(plan, job)]) for job in todo}  # derives the rest here
    for key in dict.fromkeys(world_key(plan, job) for job in todo if job.study == "table"):
        worlds[key].ensure_tuned_set()  # here too, not by two runs of one world at once
    leaders: dict[str, Job] = {}
    followers: list[Job] = []
    for job in todo:
        identity = resolved[job.key].identity
        if store.same_run(identity) is not None:  # recorded now, so that a partial report has it
            entry = _record_shared(store, job, resolved[job.key])
            log(f"{job.key}: same run as {entry['shared_with']}")
        elif identity in leaders:
            followers.append(job)
        else:
            leaders[identity] = job
    threads = max(1, torch.get_num_threads() // parallel)
    log(f"{len(leaders)} runs to train, {parallel} at a time, {threads} CPU threads each")
    failure: BaseException | None = None
    context = multiprocessing.get_context("spawn")  # CUDA and forked torch processes do not mix
    with ProcessPoolExecutor(parallel, mp_context=context, initializer=_child_threads, initargs=(threads,)) as pool:
        waiting = list(leaders.values())
        running: dict[Future, Job] = {}
        done = 0
        while waiting or running:
            while waiting and len(running) < parallel and failure is None:
                job = waiting.pop(0)
                log(f"{job.key}: training")
                running[pool.submit(run_job, job, plan, worlds[world_key(plan, job)], print)] = job
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                try:
                    entry = future.result()
                except BaseException as exc:  # noqa: BLE001 - kept, raised once the others end
                    log(f"{job.key}: failed: {exc}")
                    failure = failure or exc
                    continue
                store.record(job.key, entry)
                done += 1
                log(f"[{done}/{len(leaders)}] {job.key}: {_finished(entry)}")
    for job in followers:
        entry = _record_shared(store, job, resolved[job.key])
        if entry is not None:
            log(f"{job.key}: same run as {entry['shared_with']}")
    if failure is not None:
        raise failure


def generate_worlds(worlds: Sequence[SeedWorld], parallel: int, log: Log) -> None:
    """Generate the main projects of ``worlds`` not built yet, ``parallel`` at a time, each in
    its own process: one world takes minutes on one core (bench-ucf: about 140 s on a GPU
    machine's core, where several world seeds would otherwise wait for each other)."""
    fresh = [world for world in worlds if not world.main_built]
    if len(fresh) < 2 or parallel < 2:
        return  # built one at a time where they are first needed
    processes = min(parallel, len(fresh))
    log(f"generating {len(fresh)} worlds, {processes} at a time")
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_generate_main, fresh))


def _generate_main(world: SeedWorld) -> str:
    return world.ensure_main()


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
