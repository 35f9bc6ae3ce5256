"""Small building blocks shared by the views: page header, cards, empty states, buttons."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import theme


def tr(text: str) -> str:
    return QCoreApplication.translate("widgets", text)


class PageLayout(QVBoxLayout):
    """The top layout of a view that fits the window: it tells the window's scrolling page it
    has no height-for-width, so the page gives the view the window's height (and scrolls only
    below the view's minimum) instead of the preferred height of its wrapped texts, which made
    the Organizer and Reports scroll at 800x600. Inside, the wrapped labels still get the
    height their text needs; the lists take what is left and scroll."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return False


def label(text: str = "", name: str = "", wrap: bool = False) -> QLabel:
    lab = QLabel(text)
    if name:
        lab.setObjectName(name)
    lab.setWordWrap(wrap)
    return lab


def button(
    text: str,
    icon_name: str = "",
    *,
    primary: bool = False,
    danger: bool = False,
    flat: bool = False,
    tip: str = "",
    accessible: str = "",
) -> QPushButton:
    """A push button styled by the sheet: primary (accent), danger or flat (link-like)."""
    btn = QPushButton(text)
    btn.setProperty("icon_name", icon_name)
    btn.setProperty("primary", primary)
    btn.setProperty("danger", danger)
    btn.setProperty("flat", flat)
    if icon_name:
        btn.setIcon(button_icon(icon_name, "on-accent" if primary else ""))
    if tip:
        btn.setToolTip(tip)
    btn.setAccessibleName(accessible or text.replace("&", "") or tip)
    btn.setCursor(Qt.CursorShape.PointingHandCursor)
    return btn


def tool_button(icon_name: str, tip: str) -> QToolButton:
    btn = QToolButton()
    btn.setProperty("icon_name", icon_name)
    btn.setIcon(button_icon(icon_name))
    btn.setToolTip(tip)
    btn.setAccessibleName(tip)
    btn.setAutoRaise(False)
    return btn


def refresh_icons(root: QWidget) -> None:
    """Re-render the icons of every button below ``root`` for the current scheme."""
    for btn in root.findChildren(QAbstractButton):
        name = btn.property("icon_name")
        if name:
            btn.setIcon(button_icon(name, "on-accent" if btn.property("primary") else ""))


def button_icon(name: str, variant: str = "") -> QIcon:
    """The theme's icon with a disabled look in the disabled text colour: the style's own greyed
    copy of a light (dark theme) icon stays bright, and a disabled button looked enabled."""
    return _button_icon(name, variant, theme.current())


@cache
def _button_icon(name: str, variant: str, scheme: str) -> QIcon:
    base = theme.icon(name, variant)
    out = QIcon(base)
    grey = theme.palette_color("disabled")
    for size in base.availableSizes() or [QSize(16, 16)]:
        pix = base.pixmap(size)
        painter = QPainter(pix)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(pix.rect(), grey)
        painter.end()
        out.addPixmap(pix, QIcon.Mode.Disabled)
    return out


class PageHeader(QWidget):
    """A page title, a one-line explanation and room for actions on the right."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 6)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title = label(title, "PageTitle")
        self.title.setAccessibleName(title)
        text.addWidget(self.title)
        self.subtitle = label(subtitle, "PageSubtitle", wrap=True)
        self.subtitle.setMinimumWidth(120)  # wraps to more lines beside the actions when narrow
        text.addWidget(self.subtitle)
        lay.addLayout(text, 1)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(8)
        lay.addLayout(self.actions)

    def add(self, widget: QWidget) -> QWidget:
        self.actions.addWidget(widget, 0, Qt.AlignmentFlag.AlignBottom)
        return widget


class Card(QFrame):
    """A rounded panel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 14, 16, 14)
        self.body.setSpacing(8)


class StatCard(Card):
    """A big number with a caption and a hint below it."""

    clicked = Signal()

    def __init__(self, caption: str, icon_name: str) -> None:
        super().__init__()
        top = QHBoxLayout()
        self.icon = QLabel()
        self.icon_name = icon_name
        self.icon.setPixmap(theme.icon(icon_name, "accent").pixmap(20, 20))
        top.addWidget(self.icon)
        self.caption = label(caption, "CardLabel")
        top.addWidget(self.caption, 1)
        self.body.addLayout(top)
        self.value = label("–", "CardValue")
        self.body.addWidget(self.value)
        self.hint = label("", "CardHint")
        self.body.addWidget(self.hint)
        self.setAccessibleName(caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(self, value: str, hint: str = "") -> None:
        self.value.setText(value)
        self.hint.setText(hint)
        self.setAccessibleDescription(f"{value} {hint}")

    def refresh_icon(self) -> None:
        self.icon.setPixmap(theme.icon(self.icon_name, "accent").pixmap(20, 20))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class EmptyState(QWidget):
    """A centred icon, a title, a sentence telling the user what to do, and an optional action."""

    def __init__(self, icon_name: str, title: str, text: str, action: QPushButton | None = None) -> None:
        super().__init__()
        self.icon_name = icon_name
        lay = self._lay = QVBoxLayout(self)
        lay.addStretch(1)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.icon)
        # the texts fill a column at most 480 px wide, centred by the side margins (resizeEvent)
        self.title = label(title, "EmptyTitle", wrap=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.title)
        self.text = label(text, "EmptyText", wrap=True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.text)
        for lab in (self.title, self.text):
            lab.setMinimumWidth(160)
        self._width = 480
        self.set_text(text)
        if action is not None:
            lay.addSpacing(8)
            lay.addWidget(action, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(1)
        self.refresh_icon()

    def set_text(self, text: str, title: str | None = None) -> None:
        """Change the explanation (and title)."""
        if title is not None:
            self.title.setText(title)
        self.text.setText(text)
        self._fit()

    def _fit(self) -> None:
        """Wrapped labels get the height their text needs at the width they have (a stacked
        page does not ask its children for height-for-width)."""
        for lab in (self.title, self.text):
            lab.setMinimumHeight(0)  # QLabel's height-for-width counts its minimum: it grew by 4 a call
            lab.setMinimumHeight(lab.heightForWidth(self._width) + 4)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        # the heights are set by _fit; reporting height-for-width would make every page that
        # holds an empty state (even hidden, in a stack) as tall as its text at the least width
        return False

    def _icon_height(self) -> int:
        return self.icon.sizeHint().height() + self._lay.spacing()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """Without the side margins resizeEvent set for the width it had: counted, they kept a
        page as wide as it once was (the Dashboard scrolled sideways after a wide window). And
        without the icon, which is left out when the room is short (an 800x600 Organizer)."""
        hint = super().minimumSizeHint()
        m = self._lay.contentsMargins()
        height = hint.height() - (0 if self.icon.isHidden() else self._icon_height())
        return QSize(hint.width() - m.left() - m.right() + 24, height)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        roomy = event.size().height() >= self.minimumSizeHint().height() + self._icon_height() + 16
        self.icon.setVisible(roomy)
        width = max(160, min(480, event.size().width() - 24))
        side = max(12, (event.size().width() - width) // 2)
        self._lay.setContentsMargins(side, 12 if roomy else 4, side, 12 if roomy else 4)
        if width != self._width:
            self._width = width
            self._fit()
        super().resizeEvent(event)

    def refresh_icon(self) -> None:
        self.icon.setPixmap(theme.icon(self.icon_name, "accent").pixmap(48, 48))


class Banner(QFrame):
    """A one-line notice with an optional action button (e.g. "Undo") and a close button."""

    def __init__(self, error: bool = False) -> None:
        super().__init__()
        self.setObjectName("ErrorBanner" if error else "Banner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 8, 8, 8)
        self.text = label("", wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.text, 1)
        self.action = button("", flat=True)
        self.action.hide()
        lay.addWidget(self.action)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setAccessibleName(tr("Dismiss"))
        close.clicked.connect(self.hide)
        lay.addWidget(close)
        self._callback = None
        self.hide()

    def show_message(self, text: str, action_text: str = "", callback=None) -> None:
        self.text.setText(text)
        if self._callback is not None:
            self.action.clicked.disconnect(self._callback)
            self._callback = None
        if action_text and callback:
            self._callback = callback
            self.action.setText(action_text)
            self.action.setAccessibleName(action_text)
            self.action.clicked.connect(callback)
            self.action.show()
        else:
            self.action.hide()
        self.show()


def hline() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: transparent;")
    return line


def table(model, *, stretch: int = 0, sortable: bool = True, name: str = ""):
    """A flat list view over ``model``: rows selected whole, no grid, one row height.

    A QTableView, like the Duplicates table: it asks the model only about the rows on screen.
    A QTreeView lays out every row when the rows change, through two or three calls into Python
    per row: a preview of a million planned moves froze the window for 14 s, against 0.02 s.
    """
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

    view = QTableView()
    view.setModel(model)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setCornerButtonEnabled(False)
    view.setTabKeyNavigation(False)     # Tab moves to the next control, as in a list
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSortingEnabled(sortable)
    view.setTextElideMode(Qt.TextElideMode.ElideLeft)  # paths: the file name stays; tooltips show all
    if name:
        view.setAccessibleName(name)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)  # the text and its padding (app.qss)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view
