"""The video library: one row per video; choosing a row shows that video in the player."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from wsad_core.project import VideoRecord

from wsad_studio.state import AppState

LIBRARY_COLUMNS = ("Name", "Status", "Duration", "Size", "Path / error")
VIDEO_ID = Qt.ItemDataRole.UserRole + 1


class Library(QTableView):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model_ = QStandardItemModel(0, len(LIBRARY_COLUMNS), self)
        self.model_.setHorizontalHeaderLabels(LIBRARY_COLUMNS)
        self.setModel(self.model_)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.clicked.connect(self._choose)
        state.videos_changed.connect(self._fill)
        state.video_changed.connect(self._select)

    def _fill(self, videos: list[VideoRecord]) -> None:
        self.model_.removeRows(0, self.model_.rowCount())
        for video in videos:
            duration = f"{video.duration:.1f} s" if video.duration else ""
            size = f"{video.width}×{video.height}" if video.width else ""
            where = video.error if video.status == "error" else (video.path or "")
            items = [QStandardItem(text) for text in (video.name, video.status, duration, size, where)]
            items[0].setData(video.id, VIDEO_ID)
            self.model_.appendRow(items)
        self.resizeColumnsToContents()

    def _select(self, video: VideoRecord | None) -> None:
        """Keep the highlighted row on the video shown, however it was chosen."""
        for row in range(self.model_.rowCount()):
            if video is not None and self.model_.item(row, 0).data(VIDEO_ID) == video.id:
                self.selectRow(row)
                return
        self.clearSelection()

    def _choose(self, index) -> None:  # noqa: ANN001
        video_id = self.model_.item(index.row(), 0).data(VIDEO_ID)
        if self.state.video is None or self.state.video.id != video_id:
            self.state.select_video(video_id)
