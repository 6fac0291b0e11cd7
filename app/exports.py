"""Exports of a run's predictions (AVA CSV, tubes CSV) and of a rendered overlay video, each a
`wsad export …` child so that a long render never blocks the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from wsad_studio.cli_process import CliProcess
from wsad_studio.training_runs import parse_event

KINDS = {
    "predictions-ava": ("Predictions as AVA CSV", "CSV files (*.csv)"),
    "tubes-csv": ("Action tubes as CSV", "CSV files (*.csv)"),
    "video": ("Rendered video with tubes", "MP4 video (*.mp4)"),
}


def export_arguments(kind: str, root: Path, run: int | str, out: Path, video: str | None = None) -> list[str]:
    """`wsad export` arguments; the file dialog already asked before overwriting, hence --force."""
    if kind not in KINDS:
        raise ValueError(f"unknown export {kind!r}: one of {', '.join(KINDS)}")
    if kind == "video":
        if not video:
            raise ValueError("a rendered video needs the video's name")
        return ["export", "video", str(run), video, str(out), "-p", str(root), "--force", "--events"]
    return ["export", kind, str(run), str(out), "-p", str(root), "--force"]


class Exporter(QObject):
    """One export at a time: ``started(text)``, ``progress(done, total)`` while a video renders,
    then ``ended(ok, message)``."""

    started = Signal(str)
    progress = Signal(int, int)
    ended = Signal(bool, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job: CliProcess | None = None
        self.out: Path | None = None

    def start(self, kind: str, root: Path, run: int | str, out: Path, video: str | None = None) -> CliProcess:
        if self.job is not None:
            raise RuntimeError("an export is already running")
        self.out = Path(out)
        self.job = CliProcess(export_arguments(kind, root, run, self.out, video), self, cwd=root)
        self.job.ended.connect(self._ended)
        self.job.line.connect(self._line)
        self.job.start()
        self.started.emit(f"exporting {KINDS[kind][0].lower()} of run {run} to {self.out.name}…")
        return self.job

    def _line(self, text: str) -> None:
        event = parse_event(text)
        if event is not None and event["event"] == "progress":
            self.progress.emit(int(event["frames"]), int(event["total"]))

    def _ended(self, code: int, stderr: str) -> None:
        self.job = None
        if code == 0:
            self.ended.emit(True, f"exported {self.out}")
            return
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        self.ended.emit(False, f"export failed: {lines[-1] if lines else f'exit code {code}'}")
