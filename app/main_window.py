"""The main window: for now, open or create a project and see its video library."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QTableView

from wsad_core.errors import WsadError
from wsad_core.project import Project, VideoRecord

from wsad_studio.state import AppState

LIBRARY_COLUMNS = ("Name", "Status", "Duration", "Size", "Path / error")


class MainWindow(QMainWindow):
    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.setWindowTitle("wsad-studio")
        self.resize(1000, 600)
        self.library_model = QStandardItemModel(0, len(LIBRARY_COLUMNS), self)
        self.library_model.setHorizontalHeaderLabels(LIBRARY_COLUMNS)
        self.library = QTableView(self)
        self.library.setModel(self.library_model)
        self.library.setSortingEnabled(True)
        self.library.horizontalHeader().setStretchLastSection(True)
        self.setCentralWidget(self.library)
        self._build_menu()
        state.project_changed.connect(self._on_project_changed)
        state.videos_changed.connect(self._on_videos_changed)
        self.statusBar().showMessage("No project open")

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (
            ("&New project…", QKeySequence.StandardKey.New, self.new_project),
            ("&Open project…", QKeySequence.StandardKey.Open, self.open_project),
            ("&Quit", QKeySequence.StandardKey.Quit, self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(shortcut)
            action.triggered.connect(slot)
            menu.addAction(action)

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

    def _on_project_changed(self, project: Project | None) -> None:
        if project is None:
            self.setWindowTitle("wsad-studio")
            self.statusBar().showMessage("No project open")
            return
        self.setWindowTitle(f"wsad-studio — {project.root.name}")
        summary = project.summary()
        self.statusBar().showMessage(
            f"{summary['videos']} videos · {summary['labels']} labels · "
            f"{summary['labelled_clips']}/{summary['clips']} clips labelled"
        )

    def _on_videos_changed(self, videos: list[VideoRecord]) -> None:
        self.library_model.removeRows(0, self.library_model.rowCount())
        for video in videos:
            duration = f"{video.duration:.1f} s" if video.duration else ""
            size = f"{video.width}×{video.height}" if video.width else ""
            where = video.error if video.status == "error" else (video.path or "")
            self.library_model.appendRow(
                [QStandardItem(text) for text in (video.name, video.status, duration, size, where)]
            )
