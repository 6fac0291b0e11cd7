"""The video player: frames from a :class:`FrameSource` on a QGraphicsView, overlays above them,
and a transport bar (play/pause, speed, frame and time readout)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wsad_core.project import VideoRecord

from wsad_studio.frame_source import FrameSource
from wsad_studio.overlays import BoxLayer, OverlayProvider
from wsad_studio.state import AppState

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
MESSAGE_AREA = (960, 540)


class FrameView(QGraphicsView):
    """The frame as a pixmap item scaled to fit, with a layer of overlay boxes on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor("#202020"))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pixmap_item = QGraphicsPixmapItem()
        self.pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.pixmap_item)
        self.boxes = BoxLayer()
        self.scene().addItem(self.boxes)
        self.message = QGraphicsSimpleTextItem()
        self.message.setBrush(QColor("#dddddd"))
        self.scene().addItem(self.message)
        self.image = QImage()

    def show_image(self, image: QImage) -> None:
        resized = image.size() != self.image.size()
        self.image = image
        self.message.setText("")
        self.pixmap_item.setPixmap(QPixmap.fromImage(image))
        if resized:
            self.scene().setSceneRect(QRectF(0, 0, image.width(), image.height()))
            self._fit()

    def show_message(self, text: str) -> None:
        """A line of text in place of the frame, at its natural size in a 16:9 area."""
        self.image = QImage()
        self.pixmap_item.setPixmap(QPixmap())
        self.boxes.show_boxes([], 0, 0)
        self.message.setText(text)
        area = QRectF(0, 0, MESSAGE_AREA[0], MESSAGE_AREA[1])
        size = self.message.boundingRect()
        area.setWidth(max(area.width(), size.width() + 40))
        self.message.setPos((area.width() - size.width()) / 2, (area.height() - size.height()) / 2)
        self.scene().setSceneRect(area)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


class Player(QWidget):
    """Shows ``state.frame`` of ``state.video``; plays by moving the playhead on a timer."""

    frame_shown = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.source = FrameSource()
        self.view = FrameView(self)
        self.overlays: list[OverlayProvider] = []
        self.shown_frame: int | None = None
        self.speed = 1.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._build()
        self.source.frame_ready.connect(self._on_frame)
        self.source.frame_failed.connect(self._on_failed)
        self.source.frame_count_known.connect(state.set_decoded_frame_count)
        state.video_changed.connect(self._on_video)
        state.frame_changed.connect(self._on_playhead)
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(self.shutdown)

    def _build(self) -> None:
        self.play_button = QPushButton("▶")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.clicked.connect(self.toggle_play)
        self.speed_box = QComboBox()
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed_box.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(lambda i: self.set_speed(SPEEDS[i]))
        self.position = QLabel("—")
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        for widget in (self.play_button, self.speed_box, self.position):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)

    # Playback ----------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        if self.state.video is None or self.state.frame_count == 0:
            return
        if self.state.frame >= self.state.frame_count - 1:
            self.state.set_frame(0)
        self._timer.start(self._interval_ms())
        self.play_button.setText("⏸")
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.play_button.setText("▶")
            self.playing_changed.emit(False)

    def set_speed(self, speed: float) -> None:
        self.speed = speed
        if speed in SPEEDS and self.speed_box.currentIndex() != SPEEDS.index(speed):
            self.speed_box.setCurrentIndex(SPEEDS.index(speed))
        if self.playing:
            self._timer.setInterval(self._interval_ms())

    def _interval_ms(self) -> int:
        return max(1, round(1000 / (self.state.fps * self.speed)))

    def _tick(self) -> None:
        if self.state.frame >= self.state.frame_count - 1:
            self.pause()
        else:
            self.state.step(1)

    # Frames ------------------------------------------------------------------------------
    def redraw_overlays(self) -> None:
        """Draw every overlay provider's boxes for the frame on screen."""
        image = self.view.image
        if self.shown_frame is None or image.isNull():
            self.view.boxes.show_boxes([], 0, 0)
            return
        boxes = [box for provider in self.overlays for box in provider(self.shown_frame)]
        self.view.boxes.show_boxes(boxes, image.width(), image.height())

    def shutdown(self) -> None:
        self.pause()
        self.source.shutdown()

    def _on_video(self, video: VideoRecord | None) -> None:
        self.pause()
        self.shown_frame = None
        usable = video is not None and video.path and video.status == "ok"
        self.source.set_video(video.path if usable else None)
        if video is None:
            self.view.show_message("Choose a video in the library")
        elif not usable:
            self.view.show_message(f"{video.name}: {video.error or video.status}")
        self._update_position()

    def _on_playhead(self, frame: int) -> None:
        self._update_position()
        self.source.request(frame)

    def _on_frame(self, index: int, image: QImage) -> None:
        self.shown_frame = index
        self.view.show_image(image)
        self.redraw_overlays()
        self.frame_shown.emit(index)

    def _on_failed(self, index: int, message: str) -> None:
        self.pause()
        self.view.show_message(f"frame {index}: {message}")

    def _update_position(self) -> None:
        state = self.state
        if state.video is None:
            self.position.setText("—")
            return
        self.position.setText(
            f"frame {state.frame} / {max(state.frame_count - 1, 0)}  ·  "
            f"{state.time:.2f} s / {(state.video.duration or 0):.2f} s"
        )
