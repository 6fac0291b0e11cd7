"""The timeline under the video: a row of clips, then one row per label with its labelled clips
and its ground-truth presence; the in/out marks and the playhead across all rows.

A whole-video clip is drawn as a thin band at the top of each row, so the sub-clips and
intervals inside it stay readable. ``span_layers`` is where more per-label spans plug in (the
predicted tubes of a run): each layer maps a label name to (start, end) seconds, drawn hatched
along the bottom of that label's row.

Click or drag to seek; Ctrl+wheel zooms around the pointer, Shift+wheel pans.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

from wsad_core.project import ClipRecord

from wsad_studio.state import AppState

GUTTER = 120
RULER = 18
ROW = 18
MIN_SPAN_FRAMES = 10
ZOOM_STEP = 1.25

SpanLayer = Callable[[str], Sequence[tuple[float, float]]]


def presence_runs(frames: list[int]) -> list[tuple[int, int]]:
    """Sorted frame indices as runs of consecutive frames, (first, last) inclusive."""
    runs: list[tuple[int, int]] = []
    for frame in frames:
        if runs and frame == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], frame)
        else:
            runs.append((frame, frame))
    return runs


class Timeline(QWidget):
    """Draws the state of the video on screen; moves the playhead when clicked."""

    view_changed = Signal(float, float)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.view_start = 0.0
        self.view_span = 1.0
        self._presence: dict[str, list[tuple[int, int]]] = {}
        self.span_layers: list[SpanLayer] = []
        self.setMouseTracking(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        state.video_changed.connect(self._on_video)
        state.labels_changed.connect(lambda _labels: self._relayout())
        state.clips_changed.connect(lambda _clips: self.update())
        state.marks_changed.connect(lambda *_marks: self.update())
        state.frame_changed.connect(self._on_frame)
        self._on_video(state.video)

    # Geometry ----------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, RULER + ROW * (1 + len(self.state.labels)) + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    @property
    def duration(self) -> float:
        video = self.state.video
        return (video.duration if video is not None else None) or self.state.frame_count / self.state.fps

    def x_of(self, seconds: float) -> float:
        width = max(self.width() - GUTTER, 1)
        return GUTTER + (seconds - self.view_start) / self.view_span * width

    def time_at(self, x: float) -> float:
        width = max(self.width() - GUTTER, 1)
        return self.view_start + (x - GUTTER) / width * self.view_span

    def frame_at_x(self, x: float) -> int:
        """The frame shown while the playhead is at ``x`` (the frame whose span holds it)."""
        return self.state.clamp(math.floor(self.time_at(x) * self.state.fps + 1e-9))

    def set_view(self, start: float, span: float) -> None:
        """Show ``span`` seconds from ``start``, kept within the video."""
        duration = max(self.duration, 1e-3)
        shortest = min(duration, MIN_SPAN_FRAMES / self.state.fps)
        self.view_span = min(max(span, shortest), duration)
        self.view_start = min(max(start, 0.0), duration - self.view_span)
        self.view_changed.emit(self.view_start, self.view_span)
        self.update()

    def zoom(self, factor: float, around: float | None = None) -> None:
        """Zoom in (factor > 1) or out keeping the time ``around`` (default: playhead) in place."""
        around = self.state.time if around is None else around
        fraction = (around - self.view_start) / self.view_span
        span = self.view_span / factor
        self.set_view(around - fraction * span, span)

    # Events ------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._seek(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._seek(event.position())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP**steps, self.time_at(event.position().x()))
        elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.set_view(self.view_start - steps * self.view_span / 10, self.view_span)
        else:
            event.ignore()
            return
        event.accept()

    def _seek(self, point: QPointF) -> None:
        if self.state.video is not None and point.x() >= GUTTER:
            self.state.set_frame(self.frame_at_x(point.x()))

    def _on_video(self, _video: object) -> None:
        self._presence = {}
        for frame, boxes in sorted(self.state.ground_truth.items()):
            for name in {box.label for box in boxes if box.label}:
                self._presence.setdefault(name, []).append(frame)
        self._presence = {name: presence_runs(frames) for name, frames in self._presence.items()}
        self.set_view(0.0, self.duration)

    def _on_frame(self, _frame: int) -> None:
        now = self.state.time
        if not self.view_start <= now <= self.view_start + self.view_span:
            self.set_view(now - 0.1 * self.view_span, self.view_span)
        else:
            self.update()

    def _relayout(self) -> None:
        self.updateGeometry()
        self.update()

    # Drawing -----------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if self.state.video is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No video")
            return
        self._draw_ruler(painter)
        self._draw_clip_row(painter)
        for row, label in enumerate(self.state.labels, start=1):
            self._draw_label_row(painter, row, label.name, QColor(label.color or "#888888"), label.shortcut)
        self._draw_marks(painter)
        self._draw_playhead(painter)

    def _row_rect(self, row: int) -> QRectF:
        return QRectF(GUTTER, RULER + row * ROW, self.width() - GUTTER, ROW)

    def _span_rect(self, row: int, start: float, end: float, inset: float = 2) -> QRectF:
        top = RULER + row * ROW + inset
        x1, x2 = self.x_of(start), self.x_of(end)
        return QRectF(x1, top, max(x2 - x1, 2), ROW - 2 * inset)

    def _clip_rect(self, row: int, clip: ClipRecord) -> QRectF:
        rect = self._span_rect(row, clip.start, clip.end)
        if clip.kind == "video":
            rect.setHeight(4)
        else:
            rect.setTop(rect.top() + 5)
        return rect

    def _draw_ruler(self, painter: QPainter) -> None:
        painter.setPen(self.palette().text().color())
        step = next((s for s in (0.04, 0.2, 1, 2, 5, 10, 30, 60, 300, 600, 1800) if
                     s / self.view_span * (self.width() - GUTTER) >= 60), 3600)
        first = math.ceil(self.view_start / step) * step
        tick = first
        while tick <= self.view_start + self.view_span + 1e-9:
            x = self.x_of(tick)
            painter.drawLine(QPointF(x, RULER - 5), QPointF(x, RULER))
            painter.drawText(QPointF(x + 2, RULER - 6), f"{tick:g} s")
            tick += step

    def _draw_clip_row(self, painter: QPainter) -> None:
        painter.drawText(QRectF(4, RULER, GUTTER - 8, ROW), Qt.AlignmentFlag.AlignVCenter, "clips")
        current = self.state.current_clip()
        for clip in sorted(self.state.clips, key=lambda c: c == current):
            rect = self._clip_rect(0, clip)
            painter.fillRect(rect, QColor("#6a8caf") if clip.labelled else QColor("#b0b0b0"))
            pen = QPen(QColor("#ffaa00") if clip == current else QColor("#303030"), 2 if clip == current else 1)
            painter.setPen(pen)
            painter.drawRect(rect)
        painter.setPen(self.palette().text().color())

    def _draw_label_row(self, painter: QPainter, row: int, name: str, color: QColor, key: str | None) -> None:
        if row % 2 == 0:
            painter.fillRect(self._row_rect(row), self.palette().alternateBase())
        text = f"{key}  {name}" if key else name
        painter.setPen(self.palette().text().color())
        painter.drawText(QRectF(4, RULER + row * ROW, GUTTER - 8, ROW), Qt.AlignmentFlag.AlignVCenter, text)
        painter.fillRect(QRectF(GUTTER - 6, RULER + row * ROW + 4, 4, ROW - 8), color)
        for clip in self.state.clips:
            if name in clip.labels:
                painter.fillRect(self._clip_rect(row, clip), color)
        painter.setPen(Qt.PenStyle.NoPen)
        hatch = QBrush(color.darker(150), Qt.BrushStyle.BDiagPattern)
        for layer in self.span_layers:
            for start, end in layer(name):
                rect = self._span_rect(row, start, end, inset=0)
                painter.fillRect(QRectF(rect.x(), rect.bottom() - 8, rect.width(), 6), hatch)
        painter.setBrush(QColor("#111111"))
        fps = self.state.fps
        for first, last in self._presence.get(name, []):
            rect = self._span_rect(row, first / fps, (last + 1) / fps, inset=0)
            painter.drawRect(QRectF(rect.x(), rect.bottom() - 5, max(rect.width(), 3), 4))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _draw_marks(self, painter: QPainter) -> None:
        span = self.state.marked_span()
        if span is None:
            return
        bottom = RULER + ROW * (1 + len(self.state.labels))
        x1, x2 = self.x_of(span[0]), self.x_of(span[1])
        shade = QColor("#ffcc00")
        shade.setAlpha(50)
        painter.fillRect(QRectF(x1, RULER, max(x2 - x1, 1), bottom - RULER), shade)
        painter.setPen(QPen(QColor("#d4a000"), 1, Qt.PenStyle.DashLine))
        for mark, x in ((self.state.mark_in, x1), (self.state.mark_out, x2)):
            if mark is not None:
                painter.drawLine(QPointF(x, RULER), QPointF(x, bottom))

    def _draw_playhead(self, painter: QPainter) -> None:
        x = self.x_of(self.state.time)
        painter.setPen(QPen(QColor("#e02020"), 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
