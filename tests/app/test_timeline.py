"""The timeline: clicking and dragging seek, Ctrl+wheel zooms around the pointer."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from wsad_studio.widgets.timeline import GUTTER, RULER, presence_runs


def test_click_and_drag_seek_to_the_frame_under_the_pointer(qtbot, window):
    timeline = window.timeline
    assert timeline.view_start == 0.0 and timeline.view_span == 3.0
    x = round(timeline.x_of(40.5 / 25))
    with qtbot.waitSignal(window.player.frame_shown, check_params_cb=lambda i: i == 40, timeout=5000):
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, RULER + 5))
    assert window.state.frame == 40 == window.player.shown_frame
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, RULER + 5))
    qtbot.mouseMove(timeline, QPoint(round(timeline.x_of(60.5 / 25)), RULER + 5))
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(round(timeline.x_of(60.5 / 25)), RULER + 5))
    assert window.state.frame == 60
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(GUTTER // 2, RULER + 5))
    assert window.state.frame == 60, "the label names are not a place on the timeline"


def test_ctrl_wheel_zooms_around_the_pointer(qtbot, window):
    timeline = window.timeline
    x = timeline.x_of(1.5)
    event = QWheelEvent(
        QPointF(x, RULER + 5), timeline.mapToGlobal(QPointF(x, RULER + 5)), QPoint(0, 0), QPoint(0, 240),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(timeline, event)
    assert abs(timeline.view_span - 3.0 / 1.25**2) < 1e-9
    assert abs(timeline.time_at(x) - 1.5) < 1e-9
    timeline.zoom(1000)
    assert abs(timeline.view_span - 0.4) < 1e-9, "never narrower than 10 frames"
    window.state.set_frame(74)
    assert timeline.view_start <= window.state.time <= timeline.view_start + timeline.view_span


def test_ground_truth_presence_runs():
    assert presence_runs([]) == []
    assert presence_runs([3, 4, 5, 9, 25, 26]) == [(3, 5), (9, 9), (25, 26)]


def test_span_layers_are_asked_for_each_label_row(qtbot, window):
    asked = []
    window.timeline.span_layers.append(lambda name: asked.append(name) or [(0.5, 1.5)])
    window.timeline.repaint()
    assert asked == ["walk", "wave", "sit"]
