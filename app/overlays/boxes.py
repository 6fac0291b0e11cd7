"""Boxes with a caption, drawn in image coordinates over the frame."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem


@dataclass(frozen=True)
class OverlayBox:
    """A box in normalised [0, 1] image coordinates with an optional caption."""

    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    text: str = ""
    dashed: bool = False
    opacity: float = 1.0


OverlayProvider = Callable[[int], Sequence[OverlayBox]]


class BoxLayer(QGraphicsRectItem):
    """An invisible item the size of the frame whose children are the boxes of one frame.

    Box outlines are cosmetic (a constant width on screen) and captions ignore the view's
    scaling, so both stay readable on a small video enlarged to fill the player.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setZValue(1)

    def show_boxes(self, boxes: Sequence[OverlayBox], width: int, height: int) -> None:
        for child in self.childItems():
            child.setParentItem(None)
            if child.scene() is not None:
                child.scene().removeItem(child)
        self.setRect(0, 0, width, height)
        for box in boxes:
            self._add(box, width, height)

    def captions(self) -> list[str]:
        """The captions on screen, in drawing order (for tests)."""
        return [
            text.text()
            for box in self.childItems()
            for background in box.childItems()
            for text in background.childItems()
            if isinstance(text, QGraphicsSimpleTextItem)
        ]

    def _add(self, box: OverlayBox, width: int, height: int) -> None:
        rect = QRectF(box.x1 * width, box.y1 * height, (box.x2 - box.x1) * width, (box.y2 - box.y1) * height)
        color = QColor(box.color)
        pen = QPen(color, 2)
        pen.setCosmetic(True)
        if box.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        item = QGraphicsRectItem(rect, self)
        item.setPen(pen)
        item.setOpacity(box.opacity)
        if box.text:
            self._caption(item, box.text, color, rect)

    @staticmethod
    def _caption(parent: QGraphicsRectItem, text: str, color: QColor, rect: QRectF) -> None:
        background = QGraphicsRectItem(parent)
        background.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        background.setPos(rect.topLeft())
        background.setBrush(QBrush(color))
        background.setPen(QPen(Qt.PenStyle.NoPen))
        caption = QGraphicsSimpleTextItem(text, background)
        dark = color.lightnessF() > 0.6
        caption.setBrush(QBrush(QColor("black" if dark else "white")))
        size = caption.boundingRect()
        background.setRect(0, -size.height() - 2, size.width() + 6, size.height() + 2)
        caption.setPos(3, -size.height() - 1)
