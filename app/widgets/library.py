"""The video library: one row per video; choosing a row shows that video in the player.

Thumbnails come from a background thread as rows first show (see :mod:`wsad_studio.thumbnails`).
The rows are a table model over the project's :class:`VideoRecord` list (no item object per
cell) that sorts itself in Python (a sort proxy would ask for every cell through Qt), so a
project of thousands of videos opens at once.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wsad_core.project import LabelRecord, VideoRecord
from wsad_core.project.videos import VIDEO_STATUSES

from wsad_studio.state import AppState
from wsad_studio.thumbnails import THUMBNAIL_WIDTH, Thumbnails

LIBRARY_COLUMNS = ("Name", "Status", "Duration", "Labels", "Size", "Path / error")
DURATION_COLUMN, LABELS_COLUMN = 2, 3
AnyIndex = QModelIndex | QPersistentModelIndex


def cells(video: VideoRecord, labels: tuple[str, ...] = ()) -> tuple[str, ...]:
    duration = f"{video.duration:.1f} s" if video.duration else ""
    size = f"{video.width}×{video.height}" if video.width else ""
    where = video.error if video.status == "error" else (video.path or "")
    return video.name, video.status, duration, ", ".join(labels), size, where or ""


class VideoTableModel(QAbstractTableModel):
    def __init__(self, thumbnails: Thumbnails, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        thumbnails.ready.connect(self._thumbnail_ready)
        self.videos: list[VideoRecord] = []
        self.labels: dict[int, tuple[str, ...]] = {}
        self._cells: list[tuple[str, ...]] = []
        # While the view measures its columns it asks every row: thumbnails only for rows shown.
        self.measuring = False
        self._order: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    def set_videos(self, videos: list[VideoRecord], labels: dict[int, tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.videos, self.labels = list(videos), dict(labels)
        self._sort_rows()
        self.endResetModel()

    def set_labels(self, video_id: int, labels: tuple[str, ...]) -> None:
        """One video's labels changed (an edit in the studio): redraw its cell only."""
        self.labels[video_id] = labels
        row = self.row_of(video_id)
        if row is not None:
            self._cells[row] = cells(self.videos[row], labels)
            index = self.index(row, LABELS_COLUMN)
            self.dataChanged.emit(index, index)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._order = (column, order)
        self._sort_rows()
        self.layoutChanged.emit()

    def _thumbnail_ready(self, video_id: int) -> None:
        row = self.row_of(video_id)
        if row is not None:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def row_of(self, video_id: int) -> int | None:
        return next((row for row, video in enumerate(self.videos) if video.id == video_id), None)

    def _sort_rows(self) -> None:
        column, order = self._order

        def key(video: VideoRecord) -> tuple:
            if column == DURATION_COLUMN:
                return (video.duration or 0.0, video.name)
            return (cells(video, self.labels.get(video.id, ()))[column].lower(), video.name)

        self.videos.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._cells = [cells(video, self.labels.get(video.id, ())) for video in self.videos]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.videos)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(LIBRARY_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802, ANN201
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return LIBRARY_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0 and not self.measuring:
            return self.thumbnails.get(self.videos[index.row()])
        if role == Qt.ItemDataRole.UserRole:
            return self.videos[index.row()].id
        return None

    def text(self, row: int, column: int) -> str:
        """The text of a cell as shown (for tests)."""
        return self._cells[row][column]


class Library(QTableView):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.thumbnails = Thumbnails()
        self.videos_model = VideoTableModel(self.thumbnails, self)
        self.setIconSize(QSize(THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 9 // 16))
        self.setModel(self.videos_model)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(100)
        self.clicked.connect(self._choose)
        state.videos_changed.connect(self._fill)
        state.video_changed.connect(self._select)
        state.video_labels_changed.connect(self.videos_model.set_labels)
        state.project_changed.connect(
            lambda project: self.thumbnails.set_folder(None if project is None else project.cache_dir / "thumbnails")
        )

    def _fill(self, videos: list[VideoRecord]) -> None:
        self.videos_model.set_videos(videos, self.state.video_labels)
        self.videos_model.measuring = True
        self.resizeColumnsToContents()
        self.videos_model.measuring = False
        # Thumbnails arrive after this measure: leave room for one beside the longest name.
        names = [video.name for video in videos[: self.horizontalHeader().resizeContentsPrecision()]]
        longest = max((self.fontMetrics().horizontalAdvance(name) for name in names), default=0)
        self.setColumnWidth(0, longest + THUMBNAIL_WIDTH + 24)
        self._select(self.state.video)

    def _select(self, video: VideoRecord | None) -> None:
        """Keep the highlighted row on the video shown, however it was chosen."""
        row = None if video is None else self.videos_model.row_of(video.id)
        if row is None:
            self.clearSelection()
            return
        self.selectRow(row)
        self.scrollTo(self.videos_model.index(row, 0))

    def _choose(self, index: QModelIndex) -> None:
        video_id = self.videos_model.data(index, Qt.ItemDataRole.UserRole)
        if self.state.video is None or self.state.video.id != video_id:
            self.state.select_video(video_id)


class LibraryPanel(QWidget):
    """The library table under a filter row: text in the name or path, status, label."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.table = Library(state)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Filter by name or path")
        self.text.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.addItem("any status", None)
        for status in VIDEO_STATUSES:
            self.status.addItem(status, status)
        self.label = QComboBox()
        self.text.textChanged.connect(self._apply)
        self.status.currentIndexChanged.connect(self._apply)
        self.label.currentIndexChanged.connect(self._apply)
        self.text.returnPressed.connect(self.text.clearFocus)
        # Only a click puts the cursor in the filter: typed keys otherwise go to the window's
        # shortcuts (label keys, transport), whatever was focused last.
        for widget in (self.text, self.status, self.label):
            widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.text, 1)
        filters.addWidget(self.status)
        filters.addWidget(self.label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        state.labels_changed.connect(self._fill_labels)
        state.project_changed.connect(lambda _project: self._reset())
        self._fill_labels(state.labels)

    def _reset(self) -> None:
        for widget in (self.text, self.status, self.label):
            widget.blockSignals(True)
        self.text.clear()
        self.status.setCurrentIndex(0)
        self.label.setCurrentIndex(0)
        for widget in (self.text, self.status, self.label):
            widget.blockSignals(False)

    def _fill_labels(self, labels: list[LabelRecord]) -> None:
        chosen = self.label.currentData()
        self.label.blockSignals(True)
        self.label.clear()
        self.label.addItem("any label", None)
        for label in labels:
            self.label.addItem(label.name, label.name)
        self.label.setCurrentIndex(max(self.label.findData(chosen), 0))
        self.label.blockSignals(False)

    def _apply(self) -> None:
        if self.state.project is not None:
            self.state.filter_videos(
                status=self.status.currentData(), label=self.label.currentData(), text=self.text.text().strip()
            )
