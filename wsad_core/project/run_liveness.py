"""Whether a run is being trained right now: its training process holds ``runs/<id>/training.lock``.

The status in ``project.db`` says "running" from the start of training to its end. A process
killed without a chance to say so (SIGKILL, the out-of-memory killer, a laptop losing power,
a cluster job reaching its wall time) leaves it at "running" for ever. Its last checkpoint is
still there, but nothing would offer to resume it. The operating system releases a process's
file locks however it dies, so a "running" run whose lock is free has nobody training it.

The same lock keeps two processes from training one run at once: a second ``--resume`` of a
run still training would otherwise write the same checkpoints.

Under torchrun only rank 0 takes the lock, on its own machine; ``flock`` on a network file
system is only as reliable as that file system's locking.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from wsad_core.errors import WsadError
from wsad_core.project import runs as run_ops
from wsad_core.project.project import Project

LOCK_NAME = "training.lock"
ORPHAN_ERROR = (
    "its training process ended without recording how (killed, out of memory, or the machine "
    "stopped); resume it from its last checkpoint"
)

if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class TrainingLock:
    """Held by the process training the run in ``run_dir`` for as long as it trains."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise WsadError(
                f"run {self.path.parent.name} is being trained by another process (it holds {self.path}); "
                "stop that one first, or wait for it"
            )
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> TrainingLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()


def is_training(run_dir: Path) -> bool:
    """Whether some process holds ``run_dir``'s training lock (no lock file: nobody)."""
    path = Path(run_dir) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        if not _try_lock(fd):
            return True
        _unlock(fd)
        return False
    finally:
        os.close(fd)


def settle_orphaned_runs(project: Project) -> list[int]:
    """Mark "running" runs that no process is training as stopped, with :data:`ORPHAN_ERROR`;
    their ids. A stopped run with a checkpoint resumes (``wsad train --resume``).

    Each is checked again inside a write transaction: a trainer records its final status
    before it lets the lock go, and cannot record it while this holds the write lock, so a
    run that finishes meanwhile is never taken for an orphan."""
    settled = []
    for candidate in project.runs():
        run_dir = project.runs_dir / str(candidate.id)
        if candidate.status != "running" or is_training(run_dir):
            continue
        with project.transaction() as session:
            run = run_ops.get_run(session, candidate.id)
            if run.status == "running" and not is_training(run_dir):
                run_ops.update_run(session, run.id, status="stopped", error=ORPHAN_ERROR)
                settled.append(run.id)
    return settled
