"""The label vocabulary with each label's key, ticked for the labels of the clip under the playhead.

Clicking a label toggles it on that clip, as its key does; its context menu changes its key.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QMenu, QVBoxLayout, QWidget

from wsad_core.project import ClipRecord

from wsad_studio.state import AppState


def swatch(color: str | None, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color or "#888888"))
    return QIcon(pixmap)


def describe_clip(clip: ClipRecord | None) -> str:
    if clip is None:
        return "No clip under the playhead\nI / O mark an interval, Enter adds it"
    status = ", ".join(clip.labels) if clip.labels else ("no action" if clip.labelled else "not labelled")
    return f"Clip {clip.start:.2f}–{clip.end:.2f} s ({clip.kind})\n{status}"


class LabelPanel(QWidget):
    label_clicked = Signal(str)
    key_edit_requested = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.clip_info = QLabel(describe_clip(None))
        self.clip_info.setWordWrap(True)
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setToolTip("Click: toggle on the current clip · right-click: change the key")
        self.list.itemClicked.connect(lambda item: self.label_clicked.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.clip_info)
        layout.addWidget(self.list, 1)
        state.labels_changed.connect(lambda _labels: self._rebuild())
        state.clips_changed.connect(lambda _clips: self._refresh())
        state.frame_changed.connect(lambda _frame: self._refresh())
        state.video_changed.connect(lambda _video: self._refresh(force=True))
        state.suggestions_changed.connect(lambda: self._refresh(force=True))
        self._shown: ClipRecord | None = None
        self._rebuild()

    def _context_menu(self, point: QPoint) -> None:
        item = self.list.itemAt(point)
        if item is None:
            return
        menu = QMenu(self)
        change = menu.addAction("Change key…")
        if menu.exec(self.list.viewport().mapToGlobal(point)) is change:
            self.key_edit_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def checked_labels(self) -> list[str]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def _rebuild(self) -> None:
        self.list.clear()
        for label in self.state.labels:
            key = label.shortcut or " "
            item = QListWidgetItem(swatch(label.color), f"{key}   {label.name}")
            item.setData(Qt.ItemDataRole.UserRole, label.name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self._shown = None
        self._refresh(force=True)

    def _refresh(self, force: bool = False) -> None:
        clip = self.state.current_clip()
        if clip == self._shown and not force:
            return
        self._shown = clip
        self.clip_info.setText(describe_clip(clip) if self.state.video is not None else "No video")
        names = set(clip.labels) if clip is not None else set()
        suggested = self.state.suggestions()
        for row, label in enumerate(self.state.labels):
            item = self.list.item(row)
            checked = label.name in names
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            text = f"{label.shortcut or ' '}   {label.name}"
            if label.name in suggested:
                text += f"   suggested {suggested[label.name]:.2f} (=)"
            item.setText(text)
            font = item.font()
            font.setItalic(label.name in suggested)
            item.setFont(font)

    def suggested_labels(self) -> list[str]:
        """Labels shown as suggestions (for tests)."""
        return [label.name for label in self.state.labels if label.name in self.state.suggestions()]
