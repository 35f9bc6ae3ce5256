"""Charts painted with QPainter (QtCharts is not in PySide6-Essentials).

BarChart: horizontal bars with a label and a value text per row; clicking a row emits its key.
ColumnChart: vertical columns over labelled buckets (used for file age); a caption cut short
reads whole in the tooltip of its column. Both build on _Chart (selection, hover, colours,
elided text: one helper instead of two copies) and are plain widgets: they take their data as
a list and repaint; nothing per bar is a widget.
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


class _Chart(QWidget):
    """What both charts share: the bars, the one selected (a click selects, a second click on
    it clears), the tooltip of the bar under the mouse, the description for screen readers,
    and how a bar's colour and an elided text are painted."""

    clicked = Signal(str)

    def __init__(self, parent: QWidget | None, vertical_policy: QSizePolicy.Policy) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.selected: str | None = None
        self._hover = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, vertical_policy)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.updateGeometry()
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.text}" for b in bars))
        self.update()

    def _index_at(self, event: QMouseEvent) -> int:
        raise NotImplementedError

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        i = self._index_at(event)
        if i != self._hover:
            self._hover = i
            self.setToolTip(f"{self.bars[i].label}: {self.bars[i].text}" if i >= 0 else "")
            self.update()

    def leaveEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        self._hover = -1
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        i = self._index_at(event)
        if i >= 0:
            key = self.bars[i].key
            self.selected = None if self.selected == key else key
            self.clicked.emit(self.selected or "")
            self.update()

    def _color(self, i: int, bar: Bar, base: QColor | None = None, dimmed: int = 90) -> QColor:
        """The bar's own colour (or ``base``, or the series colour), dimmed beside a selected one."""
        if base is None:
            base = QColor(bar.colors[theme.current() == "dark"] if bar.colors
                          else theme.SERIES[i % len(theme.SERIES)])
        color = QColor(base)
        if self.selected and bar.key != self.selected:
            color.setAlpha(dimmed)
        return color

    @staticmethod
    def _text(p: QPainter, rect: QRectF, text: str, color: QColor, align: Qt.AlignmentFlag) -> None:
        """``text`` in ``rect``, elided at its end when it does not fit."""
        fm = QFontMetrics(p.font())
        p.setPen(color)
        p.drawText(rect, align, fm.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width())))


class BarChart(_Chart):
    """Rows of horizontal bars, longest first as given."""

    ROW = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, QSizePolicy.Policy.Minimum)

    def sizeHint(self) -> QSize:
        return QSize(360, max(1, len(self.bars)) * self.ROW + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, max(1, len(self.bars)) * self.ROW + 4)

    def _index_at(self, event: QMouseEvent) -> int:
        row = int((event.position().y() - 2) // self.ROW)
        return row if 0 <= row < len(self.bars) else -1

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
            left = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
            self._text(p, QRectF(6, y, label_w - 10, self.ROW - 2), bar.label, text_color, left)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(track)
            track_rect = QRectF(label_w, y + self.ROW / 2 - 5, bar_w, 10)
            p.drawRoundedRect(track_rect, 5, 5)
            p.setBrush(self._color(i, bar))
            filled = QRectF(track_rect)
            filled.setWidth(max(6.0, bar_w * bar.value / top))
            p.drawRoundedRect(filled, 5, 5)
            self._text(p, QRectF(label_w + bar_w + 8, y, value_w, self.ROW - 2), bar.text, muted, left)
        p.end()


class ColumnChart(_Chart):
    """Vertical columns over buckets, each with a caption under it and its value text above."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(170)

    def sizeHint(self) -> QSize:
        return QSize(360, 190)

    def _slot(self) -> float:
        return self.width() / max(1, len(self.bars))

    def _index_at(self, event: QMouseEvent) -> int:
        i = int(event.position().x() // self._slot())
        return i if 0 <= i < len(self.bars) else -1

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
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self._color(i, bar, accent, dimmed=80))
            p.drawRoundedRect(QRectF(x, base - h, col_w, h), 4, 4)
            centre = Qt.AlignmentFlag.AlignHCenter
            value_rect = QRectF(i * slot, base - h - value_h, slot, value_h)
            self._text(p, value_rect, bar.text, text, centre | Qt.AlignmentFlag.AlignBottom)
            caption_rect = QRectF(i * slot, base + 4, slot, caption_h)
            self._text(p, caption_rect, bar.label, muted, centre | Qt.AlignmentFlag.AlignTop)
        p.end()
