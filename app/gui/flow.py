"""Layouts that reflow with the width: ``FlowLayout`` places widgets in a row and wraps to the
next row when the width runs out; ``ColumnsLayout`` puts cards in as many columns as fit.

Rows of buttons and filter boxes use it so that an 800 px window shows every control whole
(on two rows) instead of cutting the last ones off or laying them over each other.
A widget added with ``stretch`` takes the spare width of its row (a search box).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class _PlacingLayout(QLayout):
    """What both layouts below share: a list of items placed by ``_place(rect, move)``, which
    also answers the height for a width (with move=False). Hidden widgets take no room."""

    def __init__(self, parent: QWidget | None, spacing: int) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def _add_widget(self, widget: QWidget) -> QLayoutItem:
        self.addChildWidget(widget)
        item = QWidgetItem(widget)
        self._items.append(item)
        self.invalidate()
        return item

    def _forget(self, item: QLayoutItem) -> None:
        """Drop what the layout noted about an item taken out of it."""

    def _place(self, rect: QRect, move: bool) -> int:
        raise NotImplementedError

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt API)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self._forget(item)
            return item
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt API)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt API)
        super().setGeometry(rect)
        self._place(rect, move=True)

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not (i.widget() and i.widget().isHidden())]


class FlowLayout(_PlacingLayout):
    """Widgets in rows, wrapping when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent, spacing)
        self._stretch: dict[int, int] = {}  # id(item) -> minimum width it grows from

    def add(self, widget: QWidget, min_width: int = 0) -> None:
        """Add ``widget``; with ``min_width`` it is at least that wide and takes the row's spare
        width."""
        item = self._add_widget(widget)
        if min_width:
            self._stretch[id(item)] = min_width

    def _forget(self, item: QLayoutItem) -> None:
        self._stretch.pop(id(item), None)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        items = self._visible()
        width = sum(self._width(i) for i in items) + self._spacing * max(0, len(items) - 1)
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt API)
        size = QSize()
        for item in self._visible():  # a row is as high as its items' hint (a squeezed tool row cut them)
            size = size.expandedTo(QSize(self._width(item), item.sizeHint().height()))
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # ---- placing ----------------------------------------------------------------------------
    def _width(self, item: QLayoutItem) -> int:
        return max(self._stretch.get(id(item), 0), item.sizeHint().width())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in rows within ``rect``; returns the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            w = self._width(item)
            if rows[-1] and used + self._spacing + w > area.width():
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + w
            rows[-1].append(item)
        y = area.y()
        for row in rows:
            if not row:
                continue
            height = max(i.sizeHint().height() for i in row)
            widths = [min(self._width(i), area.width()) for i in row]
            spare = area.width() - sum(widths) - self._spacing * (len(row) - 1)
            growing = [n for n, i in enumerate(row) if id(i) in self._stretch]
            if spare > 0 and growing:
                for n in growing:
                    widths[n] += spare // len(growing)
            x = area.x()
            for item, w in zip(row, widths, strict=True):
                if move:
                    h = item.sizeHint().height()
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(w, h)))
                x += w + self._spacing
            y += height + self._spacing
        return y - self._spacing - area.y() + m.top() + m.bottom() if rows[0] else 0


class ColumnsLayout(_PlacingLayout):
    """Cards in equal columns, as many as fit (at most ``columns``, each at least ``min_width``):
    four stat cards side by side in a wide window, two by two at 800 px, one above the other
    below that. The Dashboard and Settings scrolled sideways at 800 px with a fixed grid.

    An item added with ``span`` > 1 takes a whole row when the columns are that many or fewer
    (the Settings account and categories cards)."""

    def __init__(self, parent: QWidget | None = None, min_width: int = 320, columns: int = 2,
                 spacing: int = 14) -> None:
        super().__init__(parent, spacing)
        self._full: set[int] = set()  # id(item) of the items that take a whole row
        self._min_width = min_width
        self._columns = columns

    def add(self, widget: QWidget, full_row: bool = False) -> None:
        item = self._add_widget(widget)
        if full_row:
            self._full.add(id(item))

    def _forget(self, item: QLayoutItem) -> None:
        self._full.discard(id(item))

    def columns_for(self, width: int) -> int:
        """How many columns ``width`` (inside the margins) holds: each at least ``min_width``
        and as wide as the widest card's minimum (a check box's text does not wrap); as few as
        give the same number of rows, so four cards go two by two rather than three and one."""
        visible = self._visible()
        narrowest = max([self._min_width] + [i.minimumSize().width() for i in visible])
        fit = max(1, min(self._columns, (width + self._spacing) // (narrowest + self._spacing)))
        cards = sum(1 for i in visible if id(i) not in self._full) or 1
        rows = -(-cards // fit)
        return max(1, -(-cards // rows))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        width = self._columns * self._min_width + (self._columns - 1) * self._spacing
        return QSize(width, self.heightForWidth(width))

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt API)
        """One column: the narrowest the cards can be laid out."""
        widest = max((i.minimumSize().width() for i in self._visible()), default=0)
        m = self.contentsMargins()
        width = min(widest, self._min_width) + m.left() + m.right()
        return QSize(width, 0)

    @staticmethod
    def _height(item: QLayoutItem, width: int) -> int:
        if item.hasHeightForWidth():
            return max(item.heightForWidth(width), item.minimumSize().height())
        return max(item.sizeHint().height(), item.minimumSize().height())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in rows of equal columns within ``rect``; returns the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        n = self.columns_for(area.width())
        col = (area.width() - (n - 1) * self._spacing) // n
        rows: list[list[QLayoutItem]] = []
        for item in self._visible():
            if id(item) in self._full or not rows or len(rows[-1]) >= n or id(rows[-1][0]) in self._full:
                rows.append([])
            rows[-1].append(item)
        y = area.y()
        for row in rows:
            width = area.width() if id(row[0]) in self._full else col
            height = max(self._height(i, width) for i in row)
            for k, item in enumerate(row):
                if move:
                    item.setGeometry(QRect(area.x() + k * (col + self._spacing), y, width, height))
            y += height + self._spacing
        return (y - self._spacing - area.y() if rows else 0) + m.top() + m.bottom()
