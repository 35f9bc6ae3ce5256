"""Charts painted with QPainter (QtCharts is not in PySide6-Essentials).

BarChart: horizontal bars with a label and a value text per row; clicking a row emits its key.
ColumnChart: vertical columns over labelled buckets (used for file age).
Both are plain widgets: they take their data as a list and repaint; nothing per bar is a widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.gui import theme


@dataclass(slots=True)
class Bar:
    key: str
    label: str
    value: float
    text: str  # shown at the end of the bar (e.g. "1.2 GB · 340 files")
    colors: tuple[str, str] | None = None  # (light, dark) of the thing shown; else the series colour


class BarChart(QWidget):
    """Rows of horizontal bars, longest first as given."""

    clicked = Signal(str)
    ROW = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.selected: str | None = None
        self._hover = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.updateGeometry()
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.text}" for b in bars))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, max(1, len(self.bars)) * self.ROW + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, max(1, len(self.bars)) * self.ROW + 4)

    def _row_at(self, y: float) -> int:
        row = int((y - 2) // self.ROW)
        return row if 0 <= row < len(self.bars) else -1

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(event.position().y())
        if row != self._hover:
            self._hover = row
            self.setToolTip(f"{self.bars[row].label}: {self.bars[row].text}" if row >= 0 else "")
            self.update()

    def leaveEvent(self, _event) -> None:
        self._hover = -1
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(event.position().y())
        if row >= 0:
            key = self.bars[row].key
            self.selected = None if self.selected == key else key
            self.clicked.emit(self.selected or "")
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        text_color = theme.palette_color("text")
        muted = theme.palette_color("muted")
        track = theme.palette_color("track")
        hover_bg = theme.palette_color("hover")
        label_w = min(130, max((fm.horizontalAdvance(b.label) for b in self.bars), default=60) + 14)
        value_w = max((fm.horizontalAdvance(b.text) for b in self.bars), default=40) + 12
        top = max((b.value for b in self.bars), default=0) or 1
        width = self.width()
        bar_w = max(20, width - label_w - value_w - 8)
        for i, bar in enumerate(self.bars):
            y = 2 + i * self.ROW
            row = QRectF(0, y, width, self.ROW - 2)
            if i == self._hover or bar.key == self.selected:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(hover_bg)
                p.drawRoundedRect(row, 6, 6)
            color = QColor(bar.colors[theme.current() == "dark"] if bar.colors
                           else theme.SERIES[i % len(theme.SERIES)])
            if self.selected and bar.key != self.selected:
                color.setAlpha(90)
            p.setPen(text_color)
            p.drawText(
                QRectF(6, y, label_w - 10, self.ROW - 2),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                fm.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_w - 10),
            )
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(track)
            track_rect = QRectF(label_w, y + self.ROW / 2 - 5, bar_w, 10)
            p.drawRoundedRect(track_rect, 5, 5)
            p.setBrush(color)
            filled = QRectF(track_rect)
            filled.setWidth(max(6.0, bar_w * bar.value / top))
            p.drawRoundedRect(filled, 5, 5)
            p.setPen(muted)
            p.drawText(
                QRectF(label_w + bar_w + 8, y, value_w, self.ROW - 2),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                bar.text,
            )
        p.end()


class ColumnChart(QWidget):
    """Vertical columns over buckets, each with a caption under it and its value text above."""

    clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.selected: str | None = None
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.text}" for b in bars))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 190)

    def _slot(self) -> float:
        return self.width() / max(1, len(self.bars))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = int(event.position().x() // self._slot())
        if 0 <= i < len(self.bars):
            key = self.bars[i].key
            self.selected = None if self.selected == key else key
            self.clicked.emit(self.selected or "")
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        muted = theme.palette_color("muted")
        text = theme.palette_color("text")
        accent = theme.palette_color("accent")
        top = max((b.value for b in self.bars), default=0) or 1
        slot = self._slot()
        caption_h = fm.height() + 6
        value_h = fm.height() + 4
        plot_h = self.height() - caption_h - value_h - 4
        base = self.height() - caption_h
        p.setPen(theme.palette_color("border"))
        p.drawLine(0, int(base), self.width(), int(base))
        for i, bar in enumerate(self.bars):
            col_w = min(46.0, slot * 0.62)
            x = i * slot + (slot - col_w) / 2
            h = max(3.0, plot_h * bar.value / top) if bar.value else 0
            color = QColor(accent)
            if self.selected and bar.key != self.selected:
                color.setAlpha(80)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(QRectF(x, base - h, col_w, h), 4, 4)
            p.setPen(text)
            p.drawText(
                QRectF(i * slot, base - h - value_h, slot, value_h),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                fm.elidedText(bar.text, Qt.TextElideMode.ElideRight, int(slot)),
            )
            p.setPen(muted)
            p.drawText(
                QRectF(i * slot, base + 4, slot, caption_h),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                fm.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(slot)),
            )
        p.end()
