"""The main window: the library on the left, the player and timeline in the middle, the labels on
the right; every edit goes through :class:`wsad_studio.commands.Editor` and its undo stack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSlider,
    QSplitter,
)

from wsad_core.errors import WsadError
from wsad_core.project import ImportReport, LabelRecord, Project

from wsad_studio.commands import Editor
from wsad_studio.exports import KINDS, Exporter
from wsad_studio.importer import VideoImport
from wsad_studio.state import AppState
from wsad_studio.recent_projects import forget_projects, is_project, recent_projects, remember_project
from wsad_studio.run_overlays import RunOverlays
from wsad_studio.widgets.export_status import ExportStatus
from wsad_studio.widgets.label_panel import LabelPanel
from wsad_studio.widgets.library import LibraryPanel
from wsad_studio.widgets.player import Player
from wsad_studio.widgets.results import ResultsView
from wsad_studio.widgets.timeline import ZOOM_STEP, Timeline
from wsad_studio.widgets.training import TrainingPanel

SPLIT_SECONDS = 2.0
LIBRARY_WIDTH = 440


class MainWindow(QMainWindow):
    """``settings``, when given, keeps the window layout and the last project between runs
    (left out by tests and screenshots, which must not depend on a user's history)."""

    def __init__(self, state: AppState, settings: QSettings | None = None) -> None:
        super().__init__()
        self.state = state
        self.settings = settings
        self.editor = Editor(state)
        self.setWindowTitle("wsad-studio")
        self.resize(1280, 800)
        self.player = Player(state)
        self.timeline = Timeline(state)
        self.overlays = RunOverlays(state, self.player, self.timeline)
        self.library_panel = LibraryPanel(state)
        self.library = self.library_panel.table
        self.library_model = self.library.videos_model
        self.label_panel = LabelPanel(state)
        self.label_panel.label_clicked.connect(self.editor.toggle_label)
        self.label_panel.key_edit_requested.connect(self.edit_label_key)
        self.training = TrainingPanel()
        self.results = ResultsView()
        self.training.runs.job_changed.connect(lambda running: running or self.results.refresh())
        self.exporter = Exporter(self)
        self._layout()
        self._label_actions: list[QAction] = []
        self._build_menus()
        self._build_overlay_toolbar()
        self.overlays.apply()
        state.project_changed.connect(self._on_project_changed)
        state.labels_changed.connect(self._bind_label_keys)
        state.labels_changed.connect(lambda _labels: self._fit_timeline())
        state.clips_changed.connect(lambda _clips: self._show_summary())
        state.saved.connect(lambda text: self.statusBar().showMessage(text, 4000))
        state.error.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.summary = QLabel()
        self.import_progress = QProgressBar()
        self.import_progress.setMaximumWidth(240)
        self.import_progress.hide()
        self.statusBar().addPermanentWidget(self.import_progress)
        self.export_progress = ExportStatus(self.exporter, self.statusBar())
        self.statusBar().addPermanentWidget(self.summary)
        self.video_import: VideoImport | None = None
        self.setAcceptDrops(True)
        self.statusBar().showMessage("No project open")
        self._restore_layout()

    def _restore_layout(self) -> None:
        if self.settings is None:
            return
        geometry, layout = self.settings.value("window/geometry"), self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if layout is not None:
            self.restoreState(layout)

    def last_project(self) -> str | None:
        """The project open when the studio last closed, if it remembers one."""
        value = None if self.settings is None else self.settings.value("project/last")
        return str(value) if value else None

    def _layout(self) -> None:
        timeline_area = QScrollArea()
        timeline_area.setWidget(self.timeline)
        timeline_area.setWidgetResizable(True)
        timeline_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.player)
        centre.addWidget(timeline_area)
        centre.setStretchFactor(0, 1)
        centre.setStretchFactor(1, 0)
        centre.setCollapsible(0, False)
        self.setCentralWidget(centre)
        self.splitter, self.timeline_area = centre, timeline_area
        for title, widget, area in (
            ("Library", self.library_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("Labels", self.label_panel, Qt.DockWidgetArea.RightDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{title.lower()}-dock")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.resizeDocks([dock], [LIBRARY_WIDTH if area == Qt.DockWidgetArea.LeftDockWidgetArea else 220],
                             Qt.Orientation.Horizontal)
        self.docks: dict[str, QDockWidget] = {}
        for title, widget in (("Train", self.training), ("Results", self.results)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{title.lower()}-dock")
            dock.setWidget(widget)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.docks[title] = dock
        self.tabifyDockWidget(self.docks["Train"], self.docks["Results"])
        for dock in self.docks.values():
            dock.hide()

    def _fit_timeline(self) -> None:
        """Give the timeline room for all its rows, up to a third of the window."""
        wanted = self.timeline.sizeHint().height() + 2 * self.timeline_area.frameWidth()
        height = min(wanted, max(self.height() // 3, 120))
        total = sum(self.splitter.sizes()) or self.height()
        self.splitter.setSizes([max(total - height, 100), height])

    # Menus and keys ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        file_menu = self.menuBar().addMenu("&File")
        self._add(file_menu, "&New project…", QKeySequence.StandardKey.New, self.new_project)
        self._add(file_menu, "&Open project…", QKeySequence.StandardKey.Open, self.open_project)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._add(file_menu, "&Import videos…", "Ctrl+I", self.ask_import_files)
        self._add(file_menu, "Import a &folder of videos…", "Ctrl+Shift+I", self.ask_import_folder)
        self._add(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        edit = self.menuBar().addMenu("&Edit")
        undo = self.editor.stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.editor.stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addActions([undo, redo])
        self.actions_by_name.update(undo=undo, redo=redo)
        edit.addSeparator()
        self._add(edit, "Mark &in", "I", lambda: self.state.set_mark_in())
        self._add(edit, "Mark &out", "O", lambda: self.state.set_mark_out())
        self._add(edit, "&Add clip from marks", ["Return", "Enter"], self.editor.commit_interval)
        self._add(edit, "Clear marks", "Escape", self.state.clear_marks)
        self._add(edit, "&Remove interval clip", "Delete", self.editor.remove_clip)
        self._add(edit, "&Split video into sub-clips…", "Ctrl+K", self.split_video)
        self.labels_menu = self.menuBar().addMenu("&Labels")
        self._add(self.labels_menu, "Mark clip as &no action", "0", self.editor.mark_no_action)
        self._add(self.labels_menu, "&Forget the clip's labels", "Backspace", self.editor.clear_labels)
        self._add(self.labels_menu, "&Accept suggested labels", "=", self.editor.accept_suggestions)
        self.labels_menu.addSeparator()

        view = self.menuBar().addMenu("&View")
        self.show_ground_truth = self._add(
            view, "&Ground-truth boxes", None,
            lambda: self.overlays.set_visible(ground_truth=self.show_ground_truth.isChecked()),
        )
        self.show_predictions = self._add(
            view, "&Predicted tubes", None,
            lambda: self.overlays.set_visible(predictions=self.show_predictions.isChecked()),
        )
        self.show_detections = self._add(
            view, "Raw person &detections", None,
            lambda: self.overlays.set_visible(detections=self.show_detections.isChecked()),
        )
        for action in (self.show_ground_truth, self.show_predictions, self.show_detections):
            action.setCheckable(True)
            action.setChecked(action is not self.show_detections)
        self.runs_menu = view.addMenu("Predictions of &run")
        self.runs_menu.aboutToShow.connect(self._fill_runs_menu)
        self._add(view, "Prediction &score threshold…", None, self.ask_min_score)

        for title, keys in (("Train", "Ctrl+T"), ("Results", "Ctrl+R")):
            self._add(view, f"{title} panel", keys, lambda title=title: self.show_dock(title))

        export = self.menuBar().addMenu("E&xport")
        for kind, (text, _filter) in KINDS.items():
            self._add(export, f"{text}…", None, lambda kind=kind: self.ask_export(kind))

        play = self.menuBar().addMenu("&Playback")
        step = self.state.step
        self._add(play, "Play / pause", "Space", self.player.toggle_play)
        self._add(play, "Next frame", "Right", lambda: step(1))
        self._add(play, "Previous frame", "Left", lambda: step(-1))
        self._add(play, "Forward 1 s", "Shift+Right", lambda: step(round(self.state.fps)))
        self._add(play, "Back 1 s", "Shift+Left", lambda: step(-round(self.state.fps)))
        self._add(play, "Start", "Home", lambda: self.state.set_frame(0))
        self._add(play, "End", "End", lambda: self.state.set_frame(self.state.frame_count - 1))
        self._add(play, "Next clip", "]", lambda: self.state.jump_to_clip(1))
        self._add(play, "Previous clip", "[", lambda: self.state.jump_to_clip(-1))
        self._add(play, "Next unlabelled clip", "Tab", self.state.jump_to_unlabelled)
        play.addSeparator()
        self._add(play, "Zoom timeline in", "Ctrl+=", lambda: self.timeline.zoom(ZOOM_STEP))
        self._add(play, "Zoom timeline out", "Ctrl+-", lambda: self.timeline.zoom(1 / ZOOM_STEP))

    def _add(self, menu, text: str, keys, slot: Callable[[], object]) -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if isinstance(keys, list):
            action.setShortcuts([QKeySequence(k) for k in keys])
        elif keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.actions_by_name[text.replace("&", "").rstrip("…")] = action
        return action

    def _bind_label_keys(self, labels: list[LabelRecord]) -> None:
        """One action per label key (1–9, then letters), rebuilt when the vocabulary changes."""
        for action in self._label_actions:
            self.labels_menu.removeAction(action)
            action.deleteLater()
        self._label_actions = []
        for label in labels:
            text = f"Toggle '{label.name}'"
            action = QAction(text, self)
            if label.shortcut:
                action.setShortcut(QKeySequence(label.shortcut.upper()))
            action.triggered.connect(lambda _checked=False, name=label.name: self.editor.toggle_label(name))
            self.labels_menu.addAction(action)
            self._label_actions.append(action)

    # Commands ----------------------------------------------------------------------------
    def split_video(self) -> None:
        if self.state.video is None:
            return
        seconds, ok = QInputDialog.getDouble(
            self, "Split into sub-clips", "Sub-clip length (s):", SPLIT_SECONDS, 0.04, 3600.0, 2
        )
        if ok:
            self.editor.split_video(seconds)

    def show_run(self, run: int | str | None, min_score: float | None = None) -> None:
        """Draw ``run``'s predictions over the video; the Results view follows it."""
        self.overlays.show_run(run, min_score)
        if run is not None and self.state.project is not None:
            self.results.select(self.state.project.run(run).id, compare=self.results.run_b.currentData())

    @property
    def run_shown(self) -> int | str | None:
        return self.overlays.run_shown

    def _fill_runs_menu(self) -> None:
        self.runs_menu.clear()
        for text, run_id in [("None", None), *self.overlays.runs_with_predictions()]:
            action = self.runs_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(run_id == self.overlays.run_shown)
            action.triggered.connect(lambda _checked=False, chosen=run_id: self._choose_run(chosen))

    def _choose_run(self, run: int | None) -> None:
        try:
            self.show_run(run)
        except WsadError as exc:
            QMessageBox.warning(self, "wsad-studio", str(exc))

    def ask_min_score(self) -> None:
        score, ok = QInputDialog.getDouble(
            self, "Prediction score threshold", "Show tubes scoring at least:", self.overlays.min_score, 0.0, 1.0, 2
        )
        if ok:
            self.set_min_score(score)

    def set_min_score(self, score: float) -> None:
        """Show the tubes scoring at least ``score``, and keep the toolbar's slider in step."""
        self.show_run(self.overlays.run_shown, score)
        self.score_slider.blockSignals(True)
        self.score_slider.setValue(round(score * 100))
        self.score_slider.blockSignals(False)
        self.score_text.setText(f"{score:.2f}")

    def _build_overlay_toolbar(self) -> None:
        bar = self.addToolBar("Overlays")
        bar.setObjectName("overlays-toolbar")
        bar.addWidget(QLabel(" Tube score ≥ "))
        self.score_slider = QSlider(Qt.Orientation.Horizontal)
        self.score_slider.setRange(0, 100)
        self.score_slider.setMaximumWidth(160)
        self.score_slider.setToolTip("Hide predicted tubes scoring under this value")
        self.score_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys step frames, not the slider
        # Tubes are re-read when the slider is released, not at every step of a drag.
        self.score_slider.setTracking(False)
        self.score_slider.valueChanged.connect(lambda value: self.set_min_score(value / 100))
        self.score_slider.sliderMoved.connect(lambda value: self.score_text.setText(f"{value / 100:.2f}"))
        self.score_text = QLabel("0.00")
        bar.addWidget(self.score_slider)
        bar.addWidget(self.score_text)

    def show_dock(self, title: str) -> None:
        dock = self.docks[title]
        dock.show()
        dock.raise_()

    # Exporting ---------------------------------------------------------------------------
    def ask_export(self, kind: str) -> None:
        """Ask for the file, then export the run whose predictions are shown (or the latest)."""
        project, run = self.state.project, self.export_run()
        if project is None or run is None:
            self.statusBar().showMessage("open a project with a run that has predictions first", 5000)
            return
        video = self.state.video.name if self.state.video is not None else None
        if kind == "video" and video is None:
            self.statusBar().showMessage("choose the video to render in the library first", 5000)
            return
        suggested = project.exports_dir / (f"run{run}-{video}.mp4" if kind == "video" else f"run{run}-{kind}.csv")
        out, _ = QFileDialog.getSaveFileName(self, KINDS[kind][0], str(suggested), KINDS[kind][1])
        if out:
            self.start_export(kind, Path(out), run=run, video=video)

    def export_run(self) -> int | str | None:
        if self.overlays.run_shown is not None:
            return self.overlays.run_shown
        runs = self.overlays.runs_with_predictions() if self.state.project is not None else []
        return runs[-1][1] if runs else None

    def start_export(self, kind: str, out: Path, *, run: int | str, video: str | None = None) -> bool:
        """Start `wsad export KIND` in a child; the status bar shows it running, then its outcome."""
        if self.state.project is None or self.exporter.job is not None:
            self.statusBar().showMessage("an export is already running" if self.state.project else
                                         "open a project first", 5000)
            return False
        out.parent.mkdir(parents=True, exist_ok=True)
        self.exporter.start(kind, self.state.project.root, run, out, video)
        return True

    # Importing ---------------------------------------------------------------------------
    def ask_import_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import videos")
        if files:
            self.import_paths([Path(f) for f in files])

    def ask_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of videos")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> bool:
        """Import files and folders in the background; the library fills in when it ends."""
        if self.state.project is None or self.video_import is not None:
            self.statusBar().showMessage("open a project first" if self.state.project is None
                                         else "an import is already running", 5000)
            return False
        self.video_import = VideoImport(self.state.project.root, paths)
        self.video_import.progress.connect(self._import_progress)
        self.video_import.finished.connect(self._import_finished)
        self.video_import.failed.connect(self._import_failed)
        self.import_progress.setRange(0, 0)
        self.import_progress.show()
        self.video_import.start()
        return True

    def _import_progress(self, done: int, total: int, path: str) -> None:
        self.import_progress.setRange(0, total)
        self.import_progress.setValue(done)
        self.statusBar().showMessage(f"Importing {Path(path).name} ({done}/{total})")

    def _import_finished(self, report: ImportReport) -> None:
        self._import_ended()
        self.statusBar().showMessage(
            f"Imported {len(report.added)} video(s), relinked {len(report.linked)}, "
            f"{len(report.duplicates)} duplicate(s), {len(report.errors)} unreadable", 8000
        )

    def _import_failed(self, message: str) -> None:
        self._import_ended()
        self.statusBar().showMessage(f"Import failed: {message}", 8000)

    def _import_ended(self) -> None:
        self.video_import = None
        self.import_progress.hide()
        self.state.refresh_videos()
        self._show_summary()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and self.state.project is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths and self.import_paths(paths):
            event.acceptProposedAction()

    def edit_label_key(self, name: str) -> None:
        current = next((l.shortcut for l in self.state.labels if l.name == name), None) or ""
        key, ok = QInputDialog.getText(
            self, "Label key", f"Key for '{name}' (1–9 or a letter; empty: none):", text=current
        )
        if ok:
            self.editor.set_label_key(name, key.strip() or None)

    def new_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "New project folder")
        if folder:
            self._open(folder, create=True)

    def open_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open project folder")
        if folder:
            self._open(folder)

    def _open(self, folder: str, *, create: bool = False) -> None:
        try:
            self.state.open_project(folder, create=create)
        except WsadError as exc:
            QMessageBox.critical(self, "wsad-studio", str(exc))
        self.editor.stack.clear()

    def _fill_recent_menu(self) -> None:
        """Recent projects, most recent first; one whose folder has gone is listed, disabled."""
        self.recent_menu.clear()
        folders = [] if self.settings is None else recent_projects(self.settings)
        for folder in folders:
            found = is_project(folder)
            action = self.recent_menu.addAction(folder if found else f"{folder} (not found)")
            action.setEnabled(found)
            action.triggered.connect(lambda _checked=False, chosen=folder: self._open(chosen))
        if not folders:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
            return
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear the list").triggered.connect(
            lambda _checked=False: forget_projects(self.settings)
        )

    def _on_project_changed(self, project: Project | None) -> None:
        self.editor.stack.clear()
        self.show_run(None)
        self.training.set_project(project)
        self.results.set_project(None if project is None else project.root)
        if project is None:
            self.setWindowTitle("wsad-studio")
            self.summary.setText("")
            self.statusBar().showMessage("No project open")
            return
        self.setWindowTitle(f"wsad-studio — {project.root.name}")
        if self.settings is not None:
            self.settings.setValue("project/last", str(project.root))
            remember_project(self.settings, project.root)
        self._show_summary()
        self.statusBar().clearMessage()

    def _show_summary(self) -> None:
        """Project counts, kept in the status bar's permanent area (messages pass over it)."""
        project = self.state.project
        if project is None:
            return
        summary = project.summary()
        self.summary.setText(
            f"{summary['videos']} videos · {summary['labels']} labels · "
            f"{summary['labelled_clips']}/{summary['clips']} clips labelled"
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.video_import is not None:
            self.video_import.wait()
        if self.settings is not None:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
            self.settings.sync()
        self.training.shutdown()
        for job in (self.exporter.job, self.results.job):
            if job is not None:
                job.kill()
                job.wait(5_000)
        self.player.shutdown()
        self.library.thumbnails.shutdown()
        super().closeEvent(event)
