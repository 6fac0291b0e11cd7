"""The status bar's view of an export: busy while it starts, the rendered frames as they come,
then its outcome as a message."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QStatusBar

from wsad_studio.exports import Exporter


class ExportStatus(QProgressBar):
    """A progress bar added to ``status_bar`` that follows ``exporter``; hidden when idle."""

    def __init__(self, exporter: Exporter, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self.status_bar = status_bar
        self.setMaximumWidth(160)
        self.hide()
        exporter.started.connect(self._started)
        exporter.progress.connect(self._progress)
        exporter.ended.connect(self._ended)
        status_bar.addPermanentWidget(self)

    def _started(self, text: str) -> None:
        self.setRange(0, 0)
        self.show()
        self.status_bar.showMessage(text)

    def _progress(self, done: int, total: int) -> None:
        self.setRange(0, max(total, 1))
        self.setValue(done)

    def _ended(self, ok: bool, message: str) -> None:
        self.hide()
        self.status_bar.showMessage(message, 8000 if ok else 15000)
