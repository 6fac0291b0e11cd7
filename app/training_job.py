"""Training runs as the studio sees them: the one `wsad train` child it started, and every run
whose ``events.jsonl`` appears under the project's ``runs/`` (from a terminal, a cluster, or
earlier sessions). Testable without a window; :mod:`wsad_studio.widgets.training` draws it.

A run needs person boxes. When the options name a detector instead of an existing detection set,
the job starts with a `wsad detect --events` child (cached per video, so a rerun only detects what
is new) and starts `wsad train` on the set it made once it succeeds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from wsad_core.errors import WsadError
from wsad_core.project import Project
from wsad_core.project.run_liveness import LOCK_NAME, is_training, settle_orphaned_runs
from wsad_studio.cli_process import CliProcess
from wsad_studio.training_runs import EventsTail, RunProgress, parse_event

PRESETS = {
    "CPU quick (cpu-tiny)": "cpu-tiny",
    "CPU small (cpu-small)": "cpu-small",
    "GPU SlowFast-R50 (slowfast-r50-ava)": "slowfast-r50-ava",
}
#: Detectors the panel offers to run before training; `wsad detect --list` has them all.
DETECTORS = {
    "Faster R-CNN R50-FPN v2 (accurate)": "frcnn-r50-fpn-v2",
    "Faster R-CNN MobileNet-320 (fast on CPU)": "frcnn-mobilenet-320",
    "HOG (offline, weak)": "hog",
}
POLL_MS = 500
ANNOUNCE_MS = 200  # widgets redraw a streaming run at most this often: a plot repaint costs tens of ms
TAIL_BYTES_PER_POLL = 256 * 1024


@dataclass
class TrainOptions:
    """The panel's key options; anything else goes in ``extra`` as ``key=value``."""

    model: str = "cpu-tiny"
    mode: str = "mil"
    aggregation: str = "max"
    uncertainty: bool = True
    tubelets_per_bag: int = 4
    bags_per_batch: int = 4
    epochs: int = 10
    device: str = "auto"
    max_steps: int | None = None
    extra: tuple[str, ...] = ()
    name: str | None = None
    #: The detection set to train on (``None``: the project's only one).
    detections: str | None = None
    #: Run `wsad detect -d DETECTOR` first and train on the set it makes.
    detector: str | None = None
    #: More `wsad detect` options, e.g. ``("--boxes", "people.csv")`` for ``precomputed``.
    detect_extra: tuple[str, ...] = ()

    def overrides(self) -> list[str]:
        values = [
            f"model={self.model}", f"mode={self.mode}", f"aggregation={self.aggregation}",
            f"loss={'uncertainty' if self.uncertainty else 'bce'}",
            f"data.tubelets_per_bag={self.tubelets_per_bag}", f"data.bags_per_batch={self.bags_per_batch}",
            f"epochs={self.epochs}", f"device={self.device}",
        ]
        if self.max_steps:
            values.append(f"max_steps={self.max_steps}")
        if self.detections:
            values.append(f"data.detections={self.detections}")
        return values + list(self.extra)


def train_arguments(project_root: Path, options: TrainOptions) -> list[str]:
    """`wsad` arguments of a training run (the child prints JSON events on stdout)."""
    args = ["train", "-p", str(project_root)]
    if options.name:
        args += ["--name", options.name]
    return args + options.overrides()


def detect_arguments(project_root: Path, detector: str, extra: tuple[str, ...] = ()) -> list[str]:
    """`wsad` arguments of the detection that precedes a run (JSON-lines events on stdout)."""
    return ["detect", "-p", str(project_root), "-d", detector, "--events", *extra]


# What device `device=auto` will train on, asked of a child process (torch stays out of the studio).
DEVICE_PROBE = "import torch; print('cuda' if torch.cuda.is_available() else 'cpu')"


class TrainingRuns(QObject):
    """The runs of the open project and the training child, if one is running."""

    run_changed = Signal(int)  # a run's progress changed (or it appeared)
    job_changed = Signal(bool)  # a child started (True) or ended (False)
    job_failed = Signal(str)  # a child ended in error: the message to show
    detection_progress = Signal(int, int, str)  # frames done, frames to do, video: before a run
    detection_finished = Signal(str)  # the detection set the run will train on

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.root: Path | None = None
        self.project: Project | None = None
        self.runs: dict[int, RunProgress] = {}
        self._tails: dict[int, EventsTail] = {}
        self.job: CliProcess | None = None
        self.job_run: int | None = None
        #: While detection runs before training: the run's options, and the set it produced.
        self.pending: TrainOptions | None = None
        self._detected_set: str | None = None
        self._changed: set[int] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(ANNOUNCE_MS)
        self._flush.timeout.connect(self._announce)

    # Project -----------------------------------------------------------------------------
    def set_project(self, root: Path | None, project: Project | None = None) -> None:
        """Follow the runs under ``root``. With ``project`` (the studio's open project), what the
        panel finds out about a run, that its process was killed, is recorded in it too."""
        self.root, self.project = root, project
        self.runs.clear()
        self._tails.clear()
        if root is None:
            self.timer.stop()
            return
        self.poll()
        self.timer.start()

    def poll(self) -> None:
        """Find new run folders, and read what each followed ``events.jsonl`` gained."""
        if self.root is None:
            return
        runs_dir = self.root / "runs"
        if runs_dir.is_dir() and not (self.job is not None and self.job_run is None):
            with os.scandir(runs_dir) as entries:
                for entry in entries:
                    if entry.name.isdigit() and int(entry.name) not in self._tails:
                        run_id = int(entry.name)
                        self._tails[run_id] = EventsTail(Path(entry.path) / "events.jsonl")
        for run_id, tail in self._tails.items():
            if run_id == self.job_run:
                continue
            for event in tail.read(TAIL_BYTES_PER_POLL):
                self._apply(run_id, event)
            self._settle_if_orphaned(run_id, tail)

    def _settle_if_orphaned(self, run_id: int, tail: EventsTail) -> None:
        """A followed run that its events call running, but whose process no longer holds its
        training lock, was killed without a final event (see :mod:`wsad_core.project.run_liveness`).
        Runs of older versions, which took no lock, are left as their events say."""
        progress = self.runs.get(run_id)
        run_dir = tail.path.parent
        if progress is None or progress.finished or not (run_dir / LOCK_NAME).is_file() or is_training(run_dir):
            return
        while events := tail.read(TAIL_BYTES_PER_POLL):  # whatever it wrote before it died
            for event in events:
                self._apply(run_id, event)
        if not progress.finished:
            progress.status = "killed"
            progress.log.append("its training process ended without a final event (killed?); "
                                "resume it from its last checkpoint")
            self._settle_in_project(progress)
            self._changed.add(run_id)
            self._announce()

    def _settle_in_project(self, progress: RunProgress) -> None:
        """Record in ``project.db`` what the panel shows: a run whose process died without a
        status is stopped there, so that `wsad train --resume` and the benchmark pick it up."""
        if self.project is None:
            return  # a folder of runs only, e.g. copied from a cluster
        try:
            settle_orphaned_runs(self.project)
        except (WsadError, OSError) as error:  # the panel keeps going; `wsad runs` settles it later
            progress.log.append(f"could not record it in project.db: {error}")

    # The child ---------------------------------------------------------------------------
    def start(self, options: TrainOptions) -> CliProcess:
        """Start `wsad train`, or `wsad detect` first when ``options.detector`` is set; refuse
        while another child runs."""
        if self.root is None:
            raise RuntimeError("open a project first")
        if self.job is not None:
            raise RuntimeError("a training run is already going")
        self.poll()
        if options.detector:
            self.pending, self._detected_set = options, None
            job = CliProcess(detect_arguments(self.root, options.detector, options.detect_extra), self, cwd=self.root)
            self._follow(job, self._on_detect_line, self._on_detect_ended)
            self.job_changed.emit(True)
            return job
        return self.attach(CliProcess(train_arguments(self.root, options), self, cwd=self.root))

    @property
    def detecting(self) -> bool:
        return self.pending is not None

    def attach(self, job: CliProcess) -> CliProcess:
        """Follow ``job`` as the training child and start it."""
        if self.job is not None:
            raise RuntimeError("a training run is already going")
        self._follow(job)
        self.job_changed.emit(True)
        return job

    def _follow(
        self,
        job: CliProcess,
        on_line: Callable[[str], None] | None = None,
        on_ended: Callable[[int, str], None] | None = None,
    ) -> None:
        """Make ``job`` the current child (training, unless other handlers are given) and start it."""
        job.line.connect(on_line or self._on_line)
        job.ended.connect(on_ended or self._on_ended)
        self.job, self.job_run = job, None
        job.start()

    def stop(self) -> None:
        if self.job is not None:
            self.job.terminate()

    def kill(self) -> None:
        if self.job is not None:
            self.job.kill()

    def _on_detect_line(self, text: str) -> None:
        event = parse_event(text)
        if event is None:
            return
        if event["event"] == "progress":
            self.detection_progress.emit(int(event["frames"]), int(event["total"]), str(event["video"]))
        elif event["event"] == "done":
            self._detected_set = str(event["set"])

    def _on_detect_ended(self, code: int, stderr: str) -> None:
        options, self.pending, self.job = self.pending, None, None
        if code != 0 or options is None or self._detected_set is None:
            reason = _last_line(stderr) or f"wsad detect ended with code {code}"
            self.job_failed.emit("stopped during person detection" if code == -1 else f"detection: {reason}")
            self.job_changed.emit(False)
            return
        self.detection_finished.emit(self._detected_set)
        options = replace(options, detector=None, detections=self._detected_set)
        self._follow(CliProcess(train_arguments(self.root, options), self, cwd=self.root))

    def _on_line(self, text: str) -> None:
        event = parse_event(text)
        if event is None:
            return
        if event["event"] == "start" and "run" in event:
            self.job_run = int(event["run"])
            self._tails.pop(self.job_run, None)
        if self.job_run is not None:
            self._apply(self.job_run, event)

    def _on_ended(self, code: int, stderr: str) -> None:
        run_id, self.job, self.job_run = self.job_run, None, None
        progress = self.runs.get(run_id) if run_id is not None else None
        if progress is not None and not progress.finished:
            progress.status = "killed" if code == -1 else "failed"
            progress.log.append(f"the child ended with code {code} and no final event")
            self._settle_in_project(progress)
        if progress is not None and progress.finished and code != 0 and stderr.strip():
            progress.log.append(stderr.strip())
            progress.error = progress.error or _last_line(stderr)
        if run_id is not None:
            self._tails[run_id] = _tail_at_end(self.root, run_id)
            self._changed.add(run_id)
            self._announce()
        if code != 0 and (progress is None or progress.status == "failed"):
            reason = (progress.error if progress is not None and progress.error else "") or _last_line(stderr)
            self.job_failed.emit(reason or f"wsad train ended with code {code}")
        self.job_changed.emit(False)

    # Progress ----------------------------------------------------------------------------
    def _apply(self, run_id: int, event: dict[str, Any]) -> None:
        progress = self.runs.get(run_id)
        if progress is None:
            progress = self.runs[run_id] = RunProgress(run_id)
        progress.apply(event)
        self._changed.add(run_id)
        if not self._flush.isActive():
            self._flush.start()

    def _announce(self) -> None:
        """Tell the widgets at most every ``ANNOUNCE_MS``: redrawing per event would stall a fast stream."""
        changed, self._changed = self._changed, set()
        for run_id in sorted(changed):
            self.run_changed.emit(run_id)

    def shutdown(self) -> None:
        """Closing the studio stops the child gracefully (it checkpoints)."""
        self.timer.stop()
        if self.job is not None:
            self.job.terminate()
            if not self.job.wait(15_000):
                self.job.kill()
                self.job.wait(5_000)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _tail_at_end(root: Path | None, run_id: int) -> EventsTail:
    """Follow the file from where the child's stdout left it: only what is written later."""
    tail = EventsTail((root or Path(".")) / "runs" / str(run_id) / "events.jsonl")
    try:
        tail.offset = tail.path.stat().st_size
    except OSError:
        pass
    return tail
