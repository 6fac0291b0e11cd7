"""A `wsad …` child process whose stdout arrives as lines, a bounded amount per event-loop turn.

The studio never trains, evaluates or exports in its own process (DESIGN: process model): it
starts the CLI with :class:`QProcess` (a program and an argument list, no shell) and reads what
it prints. A child may print thousands of lines at once; they are handed on in small chunks,
the rest after the event loop has had a turn, so the window never stalls behind them.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

# `wsad_core.cli` has no __main__: call its entry point, with this interpreter, so that the
# child runs the same installation as the studio whatever PATH says. The child runs at a lower
# priority: training takes every core it finds, and on a small machine the window would
# otherwise wait hundreds of milliseconds for one.
CHILD_NICENESS = 10
_ENTRY = (f"import os, sys; os.nice({CHILD_NICENESS}); "
          "from wsad_core.cli import main; sys.exit(main())")
LINES_PER_TURN = 200
SECONDS_PER_TURN = 0.004
BYTES_PER_READ = 16 * 1024
STDERR_TAIL_CHARS = 4000


def wsad_command(args: list[str]) -> tuple[str, list[str]]:
    """Program and arguments that run ``wsad ARGS`` with the studio's own interpreter."""
    return sys.executable, ["-c", _ENTRY, *args]


class CliProcess(QObject):
    """One `wsad` child: ``line`` per stdout line, ``ended`` once with its exit code and the tail
    of its stderr (a crash's traceback or the CLI's one-line error)."""

    line = Signal(str)
    ended = Signal(int, str)  # exit code (-1: killed or failed to start), stderr tail

    def __init__(
        self,
        args: list[str],
        parent: QObject | None = None,
        *,
        cwd: Path | None = None,
        program: tuple[str, list[str]] | None = None,
    ) -> None:
        """``program`` (executable, arguments) replaces `wsad ARGS`: benchmarks stream fake events."""
        super().__init__(parent)
        self.args = args
        self.process = QProcess(self)
        program, arguments = program or wsad_command(args)
        self.process.setProgram(program)
        self.process.setArguments(arguments)
        if cwd is not None:
            self.process.setWorkingDirectory(str(cwd))
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        self.process.setProcessEnvironment(environment)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)
        self._partial = b""
        self._pending: deque[str] = deque()
        self._stderr = ""
        self._draining = False
        self._exit: tuple[int, str] | None = None
        self.done = False

    def start(self) -> None:
        self.process.start()

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def terminate(self) -> None:
        """SIGTERM: `wsad train` checkpoints and exits."""
        if self.running:
            self.process.terminate()

    def kill(self) -> None:
        if self.running:
            self.process.kill()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the child ends (tests and closing the window only)."""
        return not self.running or self.process.waitForFinished(msecs)

    @property
    def stderr_tail(self) -> str:
        return self._stderr

    def _read_stdout(self) -> None:
        """Take at most ``BYTES_PER_READ`` now; what is left is read after the pending lines."""
        chunk = bytes(self.process.read(BYTES_PER_READ).data())
        if chunk:
            *lines, self._partial = (self._partial + chunk).split(b"\n")
            self._pending.extend(line.decode("utf-8", "replace").rstrip("\r") for line in lines)
        self._drain()

    def _read_stderr(self) -> None:
        text = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace")
        self._stderr = (self._stderr + text)[-STDERR_TAIL_CHARS:]

    def _drain(self) -> None:
        """Hand on a bounded number of lines, and schedule the rest after other events."""
        started = time.perf_counter()
        handed = 0
        while self._pending and handed < LINES_PER_TURN and time.perf_counter() - started < SECONDS_PER_TURN:
            text = self._pending.popleft()
            if text:
                self.line.emit(text)
            handed += 1
        if self._pending or self.process.bytesAvailable() > 0:
            if not self._draining:
                self._draining = True
                QTimer.singleShot(1, self._drain_later)
        elif self._exit is not None:
            if self._partial:  # a last line without its newline
                text, self._partial = self._partial.decode("utf-8", "replace"), b""
                self.line.emit(text)
            self._end()

    def _drain_later(self) -> None:
        self._draining = False
        if not self._pending and self.process.bytesAvailable() > 0:
            self._read_stdout()
        else:
            self._drain()

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        """Note the exit; what the child printed last is still handed on a bounded amount per
        turn (a fast child may leave megabytes behind it)."""
        self._read_stderr()
        crashed = status == QProcess.ExitStatus.CrashExit
        self._exit = (-1 if crashed else code, self._stderr)
        self._drain()

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._stderr += f"could not start {self.process.program()}: {self.process.errorString()}"
            self._exit = (-1, self._stderr)
            self._end()

    def _end(self) -> None:
        if self.done or self._exit is None:
            return
        self.done = True
        self.ended.emit(*self._exit)
