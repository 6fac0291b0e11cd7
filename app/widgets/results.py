"""The Results view: a run's Frame AP and Video AP from ``runs/<id>/metrics.json`` (written by
`wsad eval run`), its per-class AP as bars, and a second run beside it to compare.

Evaluating scores the person boxes the run's predictions were made on unless another of the
project's detection sets is chosen (test proposals from another detector); the table names
the set each evaluation scored. With a set chosen, the view shows each run's evaluation on
that set (metrics.json keeps one per detection set); "as predicted" shows the latest."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wsad_core.detect import detection_sets
from wsad_core.evaluate.metrics_file import stored_evaluation
from wsad_core.project.store import project_cache_dir
from wsad_studio.cli_process import CliProcess

SUMMARY_COLUMNS = ("run", "Frame mAP", "Video AP@0.2", "Video AP@0.5", "Video AP@0.5:0.95", "person boxes")
BAR_COLOURS = ("#1f77b4", "#ff7f0e")


METRICS_FILE = "metrics.json"


def load_metrics(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Evaluations of one run by split; empty when it has none (or the file is half-written)."""
    try:
        data = json.loads((run_dir / METRICS_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def summary_row(evaluation: dict[str, Any] | None) -> list[float | None]:
    """Frame mAP and Video AP at 0.2, 0.5 and 0.5:0.95 of one split's evaluation."""
    evaluation = evaluation or {}
    frame = evaluation.get("frame_ap") or {}
    video = (evaluation.get("video_ap") or {}).get("mAP") or {}
    return [frame.get("mAP"), video.get("0.2"), video.get("0.5"), video.get("0.5:0.95")]


def per_class_ap(evaluation: dict[str, Any] | None) -> tuple[str, dict[str, float | None]]:
    """The per-class AP to draw: Frame AP when the split had boxes, else Video AP at 0.5."""
    evaluation = evaluation or {}
    frame = evaluation.get("frame_ap")
    if frame and frame.get("per_class"):
        return "Frame AP", dict(frame["per_class"])
    video = (evaluation.get("video_ap") or {}).get("per_class") or {}
    return "Video AP@0.5", dict(video.get("0.5") or {})


def _cell(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.1f}"


class ResultsView(QWidget):
    """Pick a run (and one to compare with) and a split; ``evaluate()`` runs `wsad eval run`."""

    evaluated = Signal(int, str)  # exit code, stderr tail

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.root: Path | None = None
        self.job: CliProcess | None = None
        self.run_a = QComboBox()
        self.run_b = QComboBox()
        self.split = QComboBox()
        self.split.setEditable(True)
        self.split.addItems(["val", "test", "train", "all"])
        self.boxes = QComboBox()
        self.boxes.setToolTip("The person boxes to score when evaluating: the run's predictions' own, "
                              "or another detection set of the project")
        self.evaluate_button = QPushButton("Evaluate run")
        self.refresh_button = QPushButton("Refresh")
        self.status = QLabel()
        for combo in (self.run_a, self.run_b, self.split, self.boxes):
            # A size that does not follow the items: refilling them must not re-lay out the window.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
            combo.currentIndexChanged.connect(lambda _index: self.redraw())
        self.split.editTextChanged.connect(lambda _text: self.redraw())
        self.evaluate_button.clicked.connect(lambda: self.evaluate())
        self.refresh_button.clicked.connect(self.refresh)
        choose = QHBoxLayout()
        for text, widget in (("Run", self.run_a), ("compare with", self.run_b), ("split", self.split),
                             ("boxes", self.boxes)):
            choose.addWidget(QLabel(text))
            choose.addWidget(widget, 1 if widget in (self.run_a, self.run_b) else 0)
        choose.addWidget(self.evaluate_button)
        choose.addWidget(self.refresh_button)
        self.table = QTableWidget(0, len(SUMMARY_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(SUMMARY_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(90)
        self.chart = pg.PlotWidget(background="w")
        self.chart.showGrid(y=True, alpha=0.3)
        self.chart.setYRange(0, 100)
        self.chart.setLabel("left", "AP (%)")
        self.chart.addLegend(offset=(-10, 10))
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(self.table)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.status)
        self.bars: list[pg.BarGraphItem] = []

    def set_project(self, root: Path | None) -> None:
        self.root = root
        self.refresh()

    def runs(self) -> list[int]:
        """Runs with a folder under ``runs/``, newest last."""
        if self.root is None or not (self.root / "runs").is_dir():
            return []
        return sorted(int(p.name) for p in (self.root / "runs").iterdir() if p.name.isdigit())

    def refresh(self) -> None:
        """Re-list the runs (keeping the choices; at first the newest evaluated run) and
        redraw from their metrics files."""
        self._list_detection_sets()
        runs = self.runs()
        evaluated = [run for run in runs if (self.root / "runs" / str(run) / METRICS_FILE).is_file()]
        default_a = (evaluated or runs or [None])[-1]
        chosen = self.run_a.currentData(), self.run_b.currentData()
        for combo, choice, blank in ((self.run_a, chosen[0], None), (self.run_b, chosen[1], "—")):
            combo.blockSignals(True)
            combo.clear()
            if blank:
                combo.addItem(blank, None)
            for run in runs:
                combo.addItem(f"run {run}", run)
            index = combo.findData(choice)
            if index < 0:
                index = combo.findData(default_a) if combo is self.run_a else 0
            combo.setCurrentIndex(index)
            combo.blockSignals(False)
        self.redraw()

    def _list_detection_sets(self) -> None:
        chosen = self.boxes.currentData()
        self.boxes.clear()
        self.boxes.addItem("as predicted", None)
        if self.root is not None:
            for found in detection_sets(project_cache_dir(self.root)):
                self.boxes.addItem(f"{found.key} ({found.identity.get('source', found.identity.get('detector', '?'))})",
                                   found.key)
        self.boxes.setCurrentIndex(max(self.boxes.findData(chosen), 0))

    def select(self, run: int, compare: int | None = None, split: str | None = None) -> None:
        self.refresh()
        self.run_a.setCurrentIndex(self.run_a.findData(run))
        self.run_b.setCurrentIndex(max(self.run_b.findData(compare), 0))
        if split is not None:
            self.split.setCurrentText(split)
        self.redraw()

    def evaluations(self) -> list[tuple[int, dict[str, Any] | None]]:
        """The chosen runs and their evaluation on the chosen split and boxes (None: not
        evaluated there)."""
        chosen = [run for run in (self.run_a.currentData(), self.run_b.currentData()) if run is not None]
        split, boxes = self.split.currentText(), self.boxes.currentData()
        if self.root is None:
            return []
        return [(run, stored_evaluation(load_metrics(self.root / "runs" / str(run)), split, boxes))
                for run in dict.fromkeys(chosen)]

    def redraw(self) -> None:
        evaluations = self.evaluations()
        self.table.setRowCount(len(evaluations))
        for row, (run, evaluation) in enumerate(evaluations):
            boxes = (evaluation or {}).get("detection_set") or "—"
            values = [f"run {run}", *(_cell(v) for v in summary_row(evaluation)), boxes]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        for bar in self.bars:
            self.chart.removeItem(bar)
        self.bars = []
        self.chart.plotItem.legend.clear()
        series = [(run, *per_class_ap(evaluation)) for run, evaluation in evaluations if evaluation]
        names = list(dict.fromkeys(name for _run, _kind, aps in series for name in aps))
        width = 0.8 / max(len(series), 1)
        for index, (run, kind, aps) in enumerate(series):
            xs = [i - 0.4 + width * (index + 0.5) for i in range(len(names))]
            heights = [100 * (aps.get(name) or 0.0) for name in names]
            bar = pg.BarGraphItem(x=xs, height=heights, width=width * 0.9, brush=BAR_COLOURS[index % 2],
                                  name=f"run {run}: {kind}")
            self.chart.addItem(bar)
            self.bars.append(bar)
        self.chart.getAxis("bottom").setTicks([list(enumerate(names))])
        self.chart.setXRange(-0.6, max(len(names) - 0.4, 0.6), padding=0)
        missing = [run for run, evaluation in evaluations if not evaluation]
        where = repr(self.split.currentText())
        if self.boxes.currentData() is not None:
            where += f" with boxes {self.boxes.currentData()}"
        self.status.setText(
            f"not evaluated on {where}: " + ", ".join(f"run {r}" for r in missing) + " (Evaluate run)"
            if missing else ""
        )

    def evaluate(self, run: int | None = None, split: str | None = None) -> CliProcess | None:
        """Run `wsad eval run` on the chosen run and split; the view reloads when it ends."""
        run = run if run is not None else self.run_a.currentData()
        if self.root is None or run is None or self.job is not None:
            return None
        split = split or self.split.currentText()
        arguments = ["eval", "run", str(run), "-p", str(self.root), "--split", split]
        if self.boxes.currentData() is not None:
            arguments += ["--detections", self.boxes.currentData()]
        self.job = CliProcess(arguments, self, cwd=self.root)
        self.job.ended.connect(self._evaluated)
        self.evaluate_button.setEnabled(False)
        self.status.setText(f"evaluating run {run} on {split!r}…")
        self.job.start()
        return self.job

    def _evaluated(self, code: int, stderr: str) -> None:
        self.job = None
        self.evaluate_button.setEnabled(True)
        self.refresh()
        if code != 0:
            lines = [line for line in stderr.strip().splitlines() if line.strip()]
            self.status.setText(f"evaluation failed: {lines[-1] if lines else f'exit code {code}'}")
        self.evaluated.emit(code, stderr)
