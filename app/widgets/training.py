"""The Train panel: preset and key options, the person boxes to train on (an existing detection set
or a detector to run first), Start/Stop/Kill, the runs of the project, live curves (loss, learning
rate, clips/s) of the selected run, its progress with ETA, and its log."""

from __future__ import annotations

import sys

import pyqtgraph as pg
from PySide6.QtCore import QProcess, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wsad_core.detect.coverage import SetCoverage, project_coverage
from wsad_core.project import Project
from wsad_studio.training_job import DETECTORS, DEVICE_PROBE, PRESETS, TrainingRuns, TrainOptions
from wsad_studio.training_runs import RunProgress, curve_points

COLUMNS = ("run", "name", "status", "progress", "loss")
CURVES = (("loss", "loss", "#d62728"), ("lr", "learning rate", "#1f77b4"), ("clips_per_s", "clips/s", "#2ca02c"))


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class TrainingPanel(QWidget):
    """Draws :class:`TrainingRuns`; tests drive ``runs`` and ``start()`` directly."""

    def __init__(self, runs: TrainingRuns | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs = runs or TrainingRuns(self)
        self.selected: int | None = None
        self._log_shown = 0
        self._rows: dict[int, int] = {}
        self._probe: QProcess | None = None
        self._build()
        self.runs.run_changed.connect(self._run_changed)
        self.runs.job_changed.connect(self._job_changed)
        self.runs.job_failed.connect(self._job_failed)
        self.runs.detection_progress.connect(self._detection_progress)
        self.runs.detection_finished.connect(lambda _key: self.refresh_person_boxes())
        self.project: Project | None = None
        self._person_boxes_stale = True
        self._job_changed(False)

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.preset = QComboBox()
        for text, model in PRESETS.items():
            self.preset.addItem(text, model)
        self.mode = QComboBox()
        self.mode.addItems(["mil", "naive", "full"])
        self.aggregation = QComboBox()
        self.aggregation.addItems(["max", "mean", "gem", "lse"])
        self.uncertainty = QCheckBox("uncertainty loss (Eq. 6)")
        self.uncertainty.setChecked(True)
        self.tubelets_per_bag = _spin(1, 256, 4)
        self.bags_per_batch = _spin(1, 256, 4)
        self.epochs = _spin(1, 10_000, 10)
        self.device = QComboBox()
        self.device.addItem("auto", "auto")
        self.device.addItem("cpu", "cpu")
        self.device.addItem("cuda", "cuda")
        self.person_boxes = QComboBox()
        self.person_boxes.setToolTip("The person boxes tubelets are built from: a detection set of the project, "
                                     "or a detector to run first (only videos it has not seen yet cost time)")
        self.person_boxes.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.person_boxes.setMinimumContentsLength(16)
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.kill_button = QPushButton("Kill")
        self.stop_button.setToolTip("Checkpoint, then stop (SIGTERM)")
        self.kill_button.setToolTip("Stop at once (SIGKILL); resume from the last checkpoint")
        self.start_button.clicked.connect(lambda: self.start())
        self.stop_button.clicked.connect(self.runs.stop)
        self.kill_button.clicked.connect(self.runs.kill)

        form = QFormLayout()
        form.addRow("Preset", self.preset)
        form.addRow("Mode", self.mode)
        form.addRow("Aggregation", self.aggregation)
        form.addRow("", self.uncertainty)
        form.addRow("Tubelets per bag", self.tubelets_per_bag)
        form.addRow("Bags per batch", self.bags_per_batch)
        form.addRow("Epochs", self.epochs)
        form.addRow("Device", self.device)
        form.addRow("Person boxes", self.person_boxes)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.kill_button):
            button.setFixedSize(88, button.sizeHint().height())  # enabling it must not re-lay out the window
            buttons.addWidget(button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.message.setFixedSize(280, 4 * self.message.fontMetrics().lineSpacing() + 4)
        options = QWidget()
        column = QVBoxLayout(options)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.message)
        column.addStretch(1)
        options.setFixedWidth(300)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        # Fixed column widths: columns sized to their contents re-measure at every update.
        for column, width in enumerate((50, 0, 70, 70, 70)):
            if width:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, width)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("%p %")  # a constant text: QProgressBar's size hint follows it
        self.eta = QLabel()
        # Fixed sizes: a label that grows with its text re-lays out the window, plots included,
        # at every event.
        metrics = self.eta.fontMetrics()
        self.eta.setFixedSize(metrics.horizontalAdvance("step 000000/000000 · stopped · ETA 00:00:00") + 8,
                              metrics.height() + 4)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.eta)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.plot_items: list[pg.PlotItem] = []
        self._next_curve = 0
        self._x_extent: int | None = None
        for column_index, (key, title, colour) in enumerate(CURVES):
            plot = self.plots.addPlot(row=0, col=column_index, title=title)
            plot.setLabel("bottom", "step")
            for axis in ("left", "bottom"):
                plot.getAxis(axis).enableAutoSIPrefix(False)  # no label rewrites as the range grows
            curve = plot.plot(pen=pg.mkPen(colour, width=1), skipFiniteCheck=True)
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves[key] = curve
            self.plot_items.append(plot)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.plots)
        split.addWidget(self.log)
        split.setSizes([120, 240, 100])
        right_column.addLayout(progress_row)
        right_column.addWidget(split, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(options, 0)
        layout.addWidget(right, 1)

    # Options -----------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Follow ``project``'s runs; its detection sets are listed when the panel shows (listing
        reads every video's row, which a large project should not pay for at opening)."""
        self.project = project
        self.runs.set_project(None if project is None else project.root, project)
        self._person_boxes_stale = True
        if self.isVisible():
            self.refresh_person_boxes()

    def refresh_person_boxes(self) -> None:
        """List the project's detection sets (with the videos each covers), then the detectors.

        The choice is kept when it is still offered; otherwise the best complete set is chosen,
        or, with none, the first detector."""
        self._person_boxes_stale = False
        current = self.person_boxes.currentData()
        sets = project_coverage(self.project) if self.project is not None else []
        self.person_boxes.blockSignals(True)
        self.person_boxes.clear()
        for found in sets:
            self.person_boxes.addItem(f"set {found.describe()}", ("set", found.key))
        for text, name in DETECTORS.items():
            self.person_boxes.addItem(f"detect first: {text}", ("detect", name))
        index = self.person_boxes.findData(current) if current is not None else -1
        self.person_boxes.setCurrentIndex(index if index >= 0 else _default_choice(sets))
        self.person_boxes.blockSignals(False)

    def options(self) -> TrainOptions:
        kind, value = self.person_boxes.currentData() or ("set", None)
        return TrainOptions(
            model=self.preset.currentData(), mode=self.mode.currentText(),
            aggregation=self.aggregation.currentText(), uncertainty=self.uncertainty.isChecked(),
            tubelets_per_bag=self.tubelets_per_bag.value(), bags_per_batch=self.bags_per_batch.value(),
            epochs=self.epochs.value(), device=self.device.currentData(),
            detections=value if kind == "set" else None, detector=value if kind == "detect" else None,
        )

    def start(self, options: TrainOptions | None = None) -> bool:
        try:
            self.runs.start(options or self.options())
        except RuntimeError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText("detecting people…" if self.runs.detecting else "starting `wsad train`…")
        self.selected = None
        return True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """List the person boxes if the project changed, and find the device the first time the
        panel shows. Importing torch takes seconds and, in a thread, would hold the GIL for long
        stretches: a child process asks instead."""
        super().showEvent(event)
        if self._person_boxes_stale:
            self.refresh_person_boxes()
        if self._probe is None:
            self._probe = QProcess(self)
            self._probe.setProgram(sys.executable)
            self._probe.setArguments(["-c", DEVICE_PROBE])
            self._probe.finished.connect(self._device_found)
            self._probe.start()

    def _device_found(self, _code: int = 0, _status: object = None) -> None:
        """``cuda`` when the probe printed it; anything else (no torch, broken CUDA): ``cpu``."""
        output = bytes(self._probe.readAllStandardOutput().data()).decode(errors="replace").strip()
        device = "cuda" if output == "cuda" else "cpu"
        self.device.setItemText(0, f"auto ({device})")
        if device == "cuda" and self.preset.currentData() == "cpu-tiny":
            self.preset.setCurrentIndex(list(PRESETS.values()).index("slowfast-r50-ava"))

    def shutdown(self) -> None:
        """Stop the device probe and the training child (gracefully: it checkpoints)."""
        if self._probe is not None and self._probe.state() != QProcess.ProcessState.NotRunning:
            self._probe.kill()
            self._probe.waitForFinished(2000)
        self.runs.shutdown()

    # Updates -----------------------------------------------------------------------------
    def _job_changed(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.kill_button.setEnabled(running)
        self.person_boxes.setEnabled(not running)
        if running:
            return
        if self.runs.job_run is None and not self.message.text().startswith("error"):
            self.message.setText("")

    def _detection_progress(self, done: int, total: int, video: str) -> None:
        self.progress.setValue(round(100 * done / total) if total else 0)
        self.eta.setText(f"detecting · {done}/{total} frames")
        self.message.setText(f"detecting people in {video}…")

    def _job_failed(self, message: str) -> None:
        self.message.setText(f"error: {message}")
        self.log.appendPlainText(f"error: {message}")

    def _run_changed(self, run_id: int) -> None:
        progress = self.runs.runs[run_id]
        if run_id not in self._rows:
            self._rows[run_id] = self.table.rowCount()
            self.table.insertRow(self.table.rowCount())
        row = self._rows[run_id]
        values = (str(run_id), progress.name, progress.status, f"{progress.percent} %",
                  f"{progress.loss[-1]:.4f}" if progress.loss else "")
        for column, value in enumerate(values):
            item = self.table.item(row, column)
            if item is None:
                self.table.setItem(row, column, QTableWidgetItem(value))
            elif item.text() != value:
                item.setText(value)
        shown = self.runs.runs.get(self.selected) if self.selected is not None else None
        follow = run_id == self.runs.job_run or shown is None or (
            self.runs.job is None and shown.finished and (not progress.finished or run_id > shown.id)
        )
        drawn = False
        if follow and self.selected != run_id:
            self.table.selectRow(row)  # draws it (_selection_changed)
            drawn = self.selected == run_id
        if run_id == self.selected and not drawn:
            self._draw(progress, every_curve=progress.finished)
        if run_id == self.runs.job_run and progress.status == "running":
            self.message.setText(f"training run {run_id} on {progress.device or '…'}")
        elif progress.finished and self.message.text().startswith("training run"):
            self.message.setText(f"run {run_id} {progress.status}")

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        run_id = int(self.table.item(rows[0].row(), 0).text())
        if run_id != self.selected:
            self.selected = run_id
            self._log_shown = 0
            self.log.clear()
            self._draw(self.runs.runs[run_id])

    def _draw(self, progress: RunProgress, *, every_curve: bool = True) -> None:
        """Show ``progress``. While a run streams, each update redraws one curve in turn: a plot
        whose range moved repaints its axes, which costs about 7 ms a plot here."""
        self._fit_steps(max(progress.total_steps, progress.step))
        keys = list(self.curves)
        if not every_curve:
            self._next_curve = (self._next_curve + 1) % len(keys)
            keys = [keys[self._next_curve]]
        for key in keys:
            self.curves[key].setData(*curve_points(progress.steps, getattr(progress, key)))
        self.progress.setValue(progress.percent)
        eta = f" · ETA {format_eta(progress.eta_s)}" if progress.status == "running" else ""
        self.eta.setText(f"step {progress.step}/{progress.total_steps} · {progress.status}{eta}")
        for line in progress.log[self._log_shown:]:
            self.log.appendPlainText(line)
        self._log_shown = len(progress.log)
        if progress.error and progress.status == "failed" and not self.message.text().startswith("error"):
            self.message.setText(f"error: {progress.error}")

    def _fit_steps(self, extent: int) -> None:
        """The step axis spans the whole run from its start, so the curves grow across it and
        the step axes need no repainting as they do."""
        if extent == self._x_extent:
            return
        self._x_extent = extent
        for plot in self.plot_items:
            if extent > 0:
                plot.setXRange(0, extent, padding=0.02)
            else:
                plot.enableAutoRange(x=True)


def _default_choice(sets: list[SetCoverage]) -> int:
    """Index of the set covering the most videos (complete ones first), else of the first detector."""
    if not sets:
        return 0
    return max(range(len(sets)), key=lambda i: (sets[i].complete, sets[i].covered))


def _spin(low: int, high: int, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    return spin
