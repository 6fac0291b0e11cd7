"""The training engine: the same loop on a laptop CPU, one GPU, or many with torchrun.

A run writes ``runs/<id>/config.yaml``, ``snapshot.json`` (what it trains on),
``events.jsonl`` and ``checkpoints/last.pt`` (every epoch, and on SIGINT/SIGTERM), and its
row in ``project.db`` follows it: queued → running → stopped / failed / done.
"""

from __future__ import annotations

import math
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

import torch
from torch.utils.data import DataLoader

from wsad_core.data import BagBatch, BagDataset, ClipSpec, collate_bags, group_by_centre
from wsad_core.data.transforms import normalise_clips, resize_clips
from wsad_core.data.video_cache import Preloaded, VideoCache, memory_budget
from wsad_core.errors import WsadError
from wsad_core.mil.bags import BagSampler, make_bags
from wsad_core.model import build_model, get_preset, pack_pathways, preset_to_dict
from wsad_core.project import Project, RunRecord
from wsad_core.project.run_liveness import TrainingLock
from wsad_core.train.checkpoint import load_checkpoint, save_checkpoint
from wsad_core.train.config import TrainConfig, load_config, save_config, to_dict
from wsad_core.train.distributed import Distributed, init_distributed
from wsad_core.train.events import EventLog
from wsad_core.train.full_supervision import supervised_instances
from wsad_core.train.loop_state import LoopState, epoch_batches
from wsad_core.train.objective import starting_class_bias, training_loss
from wsad_core.train.optimizer import make_optimizer, set_learning_rate
from wsad_core.train.precision import amp_mode, autocast, resize_on_device
from wsad_core.train.schedule import learning_rate
from wsad_core.detect.coverage import choose_detection_set
from wsad_core.train.setup import load_snapshot, make_snapshot, save_snapshot, snapshot_spans
from wsad_core.train.stop import StopRequest
from wsad_core.tubes.project_tubelets import TubeletConfig, project_tubelets


# Loader workers are forked where that is safe, so that they share the videos decoded before
# they start; Python 3.14 no longer forks by default on Linux, and macOS has not since 3.8.
_WORKER_START = "fork" if sys.platform.startswith("linux") else None


class Trainer:
    def __init__(
        self,
        project: Project,
        run: RunRecord,
        config: TrainConfig,
        snapshot: dict,
        events: EventLog,
        distributed: Distributed | None = None,
    ) -> None:
        self.distributed = distributed or Distributed()
        self.project = project
        self.run = run
        self.config = config
        self.events = events
        self.run_dir = project.run_dir(run.id)
        self.checkpoint_path = self.run_dir / "checkpoints" / "last.pt"
        torch.manual_seed(config.seed)
        self.device = self.distributed.device(config.device)
        self.preset = get_preset(config.model)
        self.labels = snapshot["labels"]
        detection_set = choose_detection_set(project, snapshot["detection_set"])
        tubelets = project_tubelets(
            project, detection_set, TubeletConfig(k=config.data.tubelet_length, min_score=config.data.min_score)
        )
        if config.mode == "full":
            bags = supervised_instances(snapshot["ground_truth"], tubelets, self.labels, config.data.tubelet_length)
        else:
            bags = make_bags(snapshot_spans(snapshot), tubelets)
        stride = self.preset.frame_stride if config.data.frame_stride is None else config.data.frame_stride
        spec = ClipSpec(self.preset.fast_frames, stride, self.preset.crop_size, self.preset.mean, self.preset.std)
        self.dataset = BagDataset(
            bags, snapshot["videos"], self.labels, spec, BagSampler(config.data.tubelets_per_bag, config.seed),
            groups=group_by_centre(bags) if config.mode == "full" else None,
            cache_bytes=self._cache_bytes(), resize_in_loader=not resize_on_device(config, self.device),
        )
        if len(self.dataset) == 0:
            raise WsadError("every training bag is empty: no tubelets inside the labelled clips")
        self.model = build_model(
            self.preset, len(self.labels), uncertainty=config.loss == "uncertainty", pretrained=config.pretrained
        )
        if config.classifier_bias == "prior":
            self.model.set_class_bias(starting_class_bias(config, self.dataset.bags, self.labels))
        self.model = self.model.to(self.device)
        if self.device.type == "cuda" and config.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last_3d)
        self.forward = self.model
        if self.distributed.active:
            if config.sync_batchnorm:
                self.model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(self.model)
            unused_head = config.loss == "uncertainty" and (config.mode != "mil" or config.naive_warmup_epochs > 0)
            self.forward = torch.nn.parallel.DistributedDataParallel(
                self.model,
                device_ids=[self.device.index] if self.device.type == "cuda" else None,
                find_unused_parameters=unused_head,
            )
        if config.compile:
            self.forward = torch.compile(self.forward)
        self.optimizer = make_optimizer(self.model, config.optim)
        # fp16 gradients underflow without loss scaling (bf16 has float32's range and needs none).
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=amp_mode(config, self.device) == "fp16")
        self.state = LoopState()
        self._data_loader: DataLoader | None = None
        # The validation videos, decoded at the first validation and kept for the next ones.
        self._val_videos = VideoCache()

    @property
    def batch_size(self) -> int:
        """Items per batch: bags, or for the fully supervised baseline keyframes (each one clip
        with all its people), as many as the clips of a MIL batch."""
        data = self.config.data
        return data.bags_per_batch * (data.tubelets_per_bag if self.config.mode == "full" else 1)

    def _epoch_batches(self, epoch: int) -> list[list[int]]:
        """This process's batches of an epoch: every rank the same number, in turn."""
        batches = epoch_batches(len(self.dataset), self.batch_size, self.config.seed, epoch)
        world = self.distributed.world
        if world > 1:
            batches = batches[: max(1, len(batches) // world) * world][self.distributed.rank :: world]
        return batches

    @property
    def steps_per_epoch(self) -> int:
        return len(self._epoch_batches(0))

    @property
    def total_steps(self) -> int:
        total = self.steps_per_epoch * self.config.epochs
        return min(total, self.config.max_steps) if self.config.max_steps else total

    def resume(self) -> None:
        state = load_checkpoint(self.checkpoint_path)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if "scaler" in state:
            self.scaler.load_state_dict(state["scaler"])
        self.state = LoopState(state["epoch"], state["batch"], state["step"])
        torch.set_rng_state(state["torch_rng"])

    def save(self, *, epoch_end: bool = False) -> None:
        """Write ``last.pt``; with ``keep_checkpoints`` also keep a copy named after the epoch
        just completed (``epoch_end``) or, mid-epoch, after the step."""
        if not self.distributed.main:
            return
        save_checkpoint(self.checkpoint_path, {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scaler": self.scaler.state_dict(),
            "epoch": self.state.epoch,
            "batch": self.state.batch,
            "step": self.state.step,
            "torch_rng": torch.get_rng_state(),
            "config": to_dict(self.config),
            "labels": list(self.labels),
            "preset": preset_to_dict(self.preset),
        })
        if self.config.keep_checkpoints:
            name = f"epoch-{self.state.epoch:03d}.pt" if epoch_end else f"step-{self.state.step:06d}.pt"
            shutil.copyfile(self.checkpoint_path, self.checkpoint_path.with_name(name))
        self.events.emit("checkpoint", epoch=self.state.epoch, step=self.state.step, path=str(self.checkpoint_path))

    def validate(self) -> dict[str, float]:
        """Frame AP on ``val_split`` with the model as it is now (rank 0; {} when off)."""
        if not self.config.val_split or not self.distributed.main:
            return {}
        from wsad_core.evaluate.run_frame_ap import run_frame_ap

        try:
            result = run_frame_ap(self.project, self.run.id, split=self.config.val_split,
                                  loaded=(self.model, self.preset, list(self.labels), self.config),
                                  video_cache=self._val_videos)
        except WsadError as exc:
            self.events.emit("warning", message=f"no validation: {exc}")
            return {}
        return {"val_frame_ap": result.result.map}

    def _loader(self) -> DataLoader:
        """The run's one loader: iterating it gives the batches of the epoch the loop is in,
        from the batch it is at. Its worker processes last the whole run, so the videos they
        decoded in the first epoch stay decoded (new workers every epoch decoded them again,
        which cost as much as the model on a 2-core machine). The videos are decoded before
        the workers start, so that forked workers share them instead of each decoding every
        video it meets."""
        self.dataset.set_epoch(self.state.epoch)
        if self._data_loader is None:
            workers = self.config.data.num_workers
            self._report_cache(self.dataset.preload(threads=max(1, torch.get_num_threads(), workers)))
            self._data_loader = DataLoader(
                self.dataset,
                batch_sampler=_EpochBatches(self),
                collate_fn=collate_bags,
                num_workers=workers,
                persistent_workers=workers > 0,
                multiprocessing_context=_WORKER_START if workers > 0 else None,
                pin_memory=self.device.type == "cuda",
                # Its own generator: a loader otherwise draws its worker seed from the global RNG,
                # which would shift dropout after a resume.
                generator=torch.Generator().manual_seed(self.config.seed * 7919),
            )
        return self._data_loader

    def _cache_bytes(self) -> int:
        """The decoded-video budget of this process: ``data.cache_mb``, or when unset a
        share of the memory available now, split between this machine's processes (and
        between the loader's workers where they are not forked: each then gets a copy)."""
        if self.config.data.cache_mb is not None:
            return self.config.data.cache_mb << 20
        copies = 1 if _WORKER_START == "fork" else self.config.data.num_workers + 1
        return memory_budget(self.distributed.local_world * copies)

    def _report_cache(self, preloaded: Preloaded) -> None:
        budget_mb = self.dataset.cache_budget >> 20
        self.events.emit("cache", videos=preloaded.videos, held=preloaded.held,
                         held_mb=preloaded.held_bytes >> 20, budget_mb=budget_mb,
                         resized_on="loader" if self.dataset.resize_in_loader else "device")
        if not preloaded.complete:
            self.events.emit(
                "warning",
                message=f"the video cache ({budget_mb} MB) holds {preloaded.held} of the "
                f"{preloaded.videos} training videos; the other {preloaded.over_budget} are decoded "
                f"again for every clip, which can leave the model waiting: about "
                f"data.cache_mb={math.ceil(preloaded.needed_bytes / (1 << 20))} would hold them all",
            )

    def close(self) -> None:
        """End the loader's worker processes and let the validation videos go."""
        self._data_loader = None
        self._val_videos.close()

    def model_input(self, batch: BagBatch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The slow and fast pathways and the boxes of a batch already on the device: resized
        there when the loader left that to it, normalised, in the model's memory format."""
        clips, boxes = batch.clips, batch.boxes
        if not self.dataset.resize_in_loader:
            clips, boxes = resize_clips(clips, batch.clip_sizes, boxes, self.preset.crop_size)
        clips = normalise_clips(clips, self.preset.mean, self.preset.std)
        if self.device.type == "cuda" and self.config.channels_last:
            clips = clips.contiguous(memory_format=torch.channels_last_3d)
        slow, fast = pack_pathways(clips, self.preset)
        return slow, fast, boxes

    def _step(self, batch: BagBatch, epoch_float: float) -> float:
        batch = batch.to(self.device)
        slow, fast, boxes = self.model_input(batch)
        with autocast(self.config, self.device):
            logits, log_var = self.forward(slow, fast, boxes)
        loss = training_loss(self.config, batch, logits, log_var, epoch_float)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        if self.config.optim.clip_grad > 0:
            self.scaler.unscale_(self.optimizer)  # clip the true gradients, not the scaled ones
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.optim.clip_grad)
        # The step's one wait for the device, once the backward pass is queued behind it: a
        # non-finite loss stops the run here, before the weights change.
        value = float(loss.detach())
        if not math.isfinite(value):
            raise FloatingPointError(f"the loss became {value} at step {self.state.step + 1}")
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return value

    def fit(self, stop: StopRequest) -> str:
        """Train until done, a stop request, or max_steps; returns the final status."""
        self.model.train()
        started, steps_here, clips_here = time.perf_counter(), 0, 0
        while self.state.epoch < self.config.epochs:
            losses = []
            for batch in self._loader():
                epoch_float = self.state.epoch + self.state.batch / self.steps_per_epoch
                lr = learning_rate(self.config.optim, epoch_float, self.config.epochs)
                set_learning_rate(self.optimizer, lr)
                loss = self.distributed.mean(self._step(batch, epoch_float))
                losses.append(loss)
                self.state.batch += 1
                self.state.step += 1
                steps_here += 1
                clips_here += len(batch.clips)  # the last batch of an epoch is often smaller
                elapsed = time.perf_counter() - started
                clips_per_s = clips_here / elapsed if elapsed > 0 else 0.0
                eta = elapsed / steps_here * max(self.total_steps - self.state.step, 0)
                self.events.emit(
                    "step", epoch=self.state.epoch + 1, step=self.state.step, loss=round(loss, 6),
                    lr=lr, clips_per_s=round(clips_per_s, 3), eta_s=round(eta, 1),
                )
                if self.distributed.any(stop.signal is not None):
                    self.save()
                    return "stopped"
                out_of_time = self.distributed.any(
                    bool(self.config.max_minutes and elapsed >= 60 * self.config.max_minutes)
                )
                if out_of_time or (self.config.max_steps and self.state.step >= self.config.max_steps):
                    # The budget ends inside an epoch: its curve still gets a last point.
                    self.save()
                    self._epoch_event(losses, partial=True)
                    return "done"
                every = self.config.checkpoint_every_steps
                if every and self.state.step % every == 0 and self.state.batch < self.steps_per_epoch:
                    self.save()
                    self._epoch_event(losses, partial=True)
            self.state.epoch += 1
            self.state.batch = 0
            self.save(epoch_end=True)
            self._epoch_event(losses)
        return "done"

    def _epoch_event(self, losses: list[float], *, partial: bool = False) -> None:
        """Emit ``epoch`` with the mean training loss since the epoch began and validation
        metrics; ``partial`` (mid-epoch) events carry ``epoch`` as a fraction."""
        epoch: float = self.state.epoch
        extra: dict[str, object] = {}
        if partial:
            epoch = round(self.state.epoch + self.state.batch / self.steps_per_epoch, 4)
            extra["partial"] = True
        self.events.emit("epoch", epoch=epoch, step=self.state.step,
                         train_loss=sum(losses) / max(len(losses), 1), **extra, **self.validate())
        self.model.train()


class _EpochBatches:
    """Batch sampler of :meth:`Trainer._loader`: the current epoch's batches from the current
    batch on, each index paired with its epoch, so that the dataset copies in long-lived
    worker processes draw that epoch's tubelets and flips."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer

    def _remaining(self) -> list[list[tuple[int, int]]]:
        epoch, start = self.trainer.state.epoch, self.trainer.state.batch
        return [[(epoch, index) for index in batch] for batch in self.trainer._epoch_batches(epoch)[start:]]

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        return iter(self._remaining())

    def __len__(self) -> int:
        return len(self._remaining())


def _events_for(
    project: Project, run: RunRecord, stdout: TextIO | None, listener: Callable[[dict], None] | None
) -> EventLog:
    return EventLog(project.run_dir(run.id) / "events.jsonl", stdout=stdout, listener=listener)


def train(
    project: Project,
    config: TrainConfig | None = None,
    *,
    name: str | None = None,
    resume: int | str | None = None,
    stdout: TextIO | None = sys.stdout,
    listener: Callable[[dict], None] | None = None,
) -> RunRecord:
    """Start a run (or resume one from its last checkpoint) and train it to the end.

    Events go to ``stdout`` as JSON lines, to ``runs/<id>/events.jsonl``, and to ``listener``
    (e.g. a progress bar). Under torchrun only rank 0 writes anything.
    """
    distributed = init_distributed(config.device if config is not None else "auto")
    try:
        return _train(project, config, name, resume, stdout, listener, distributed)
    finally:
        distributed.close()


def _prepare(project: Project, config: TrainConfig | None, name: str | None, resume: int | str | None):  # noqa: ANN202
    if resume is not None:
        run = project.run(resume)
        run_dir = project.run_dir(run.id)
        if not (run_dir / "checkpoints" / "last.pt").is_file():
            raise WsadError(f"run {run.id} has no checkpoint to resume from")
        return run
    config = config or TrainConfig()
    snapshot = make_snapshot(project, config)
    run = project.create_run(name or f"{config.mode}-{config.aggregation}-{config.loss}", to_dict(config))
    run_dir = project.run_dir(run.id)
    save_config(config, run_dir / "config.yaml")
    save_snapshot(snapshot, run_dir / "snapshot.json")
    return run


def _train(project, config, name, resume, stdout, listener, distributed: Distributed) -> RunRecord:  # noqa: ANN001
    main = distributed.main
    prepared, lock = None, None
    if main:
        try:
            prepared = _prepare(project, config, name, resume)
            lock = TrainingLock(project.run_dir(prepared.id))
            lock.acquire()
        except BaseException:
            prepared = None
            raise
        finally:
            distributed.broadcast(None if prepared is None else prepared.id)
    else:
        run_id = distributed.broadcast(None)
        if run_id is None:
            raise WsadError("rank 0 could not start the run")
    try:
        return _train_run(project, prepared or project.run(run_id), resume, stdout, listener, distributed)
    finally:
        if lock is not None:
            lock.release()


def _train_run(project, run, resume, stdout, listener, distributed: Distributed) -> RunRecord:  # noqa: ANN001
    main = distributed.main
    run_dir = project.run_dir(run.id)
    config = load_config(run_dir / "config.yaml")
    snapshot = load_snapshot(run_dir / "snapshot.json")
    events = _events_for(project, run, stdout, listener) if main else EventLog(None, enabled=False)
    if main:
        project.update_run(run.id, status="running")
    try:
        trainer = Trainer(project, run, config, snapshot, events, distributed)
        if resume is not None:
            trainer.resume()
        events.emit("start", run=run.id, name=run.name, bags=len(trainer.dataset), labels=len(trainer.labels),
                     steps=trainer.total_steps, resumed_at=trainer.state.step, device=str(trainer.device),
                     processes=distributed.world)
        with StopRequest() as stop:
            try:
                status = trainer.fit(stop)
            finally:
                trainer.close()
        distributed.barrier()
        metrics = {"steps": trainer.state.step, "epochs": trainer.state.epoch}
        events.emit("stopped" if status == "stopped" else "done", run=run.id, **metrics)
        return project.update_run(run.id, status=status, metrics=metrics) if main else project.run(run.id)
    except FloatingPointError as exc:
        message = f"{exc}; the last good checkpoint is kept"
        events.emit("error", message=message)
        if main:
            project.update_run(run.id, status="failed", error=message)
        raise WsadError(f"run {run.id}: {message}") from None
    except BaseException as exc:
        events.emit("error", message=str(exc) or type(exc).__name__)
        if main:
            project.update_run(run.id, status="failed", error=str(exc) or type(exc).__name__)
        raise
    finally:
        events.close()
