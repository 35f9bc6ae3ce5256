"""Walk a window's widget tree and list what a person would see as broken layout: a label or a
button narrower than its text ('Export repor'), a field squashed below its text's height, or
two widgets of one layout on top of each other ('Select copies' over the keep-policy box).

Used by tests/gui/test_layout.py and by hand (python -m tests.gui.layout_check is not needed:
import ``problems`` and print them next to a screenshot).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLayout,
    QLineEdit,
    QScrollArea,
    QScrollBar,
    QWidget,
)

SLACK = 2  # pixels of rounding a style may leave


def _in_layout(layout: QLayout | None, widget: QWidget) -> bool:
    if layout is None:
        return False
    if layout.indexOf(widget) >= 0:
        return True
    for i in range(layout.count()):
        child = layout.itemAt(i).layout()
        if child is not None and _in_layout(child, widget):
            return True
    return False


def _name(w: QWidget) -> str:
    text = w.text() if hasattr(w, "text") and callable(w.text) else ""
    text = text if isinstance(text, str) else ""
    return f"{type(w).__name__}({(w.accessibleName() or w.objectName() or text)[:40]!r})"


def _inside_scrolling(w: QWidget, root: QWidget) -> bool:
    """Inside content that may be larger than its view and scroll (a scroll area that does not
    resize its widget to fit, or an item view). The app's pages resize theirs: checked."""
    p = w.parentWidget()
    while p is not None and p is not root:
        if isinstance(p, QScrollArea) and p.widgetResizable():
            pass
        elif isinstance(p, QAbstractScrollArea) and not isinstance(p, QComboBox):
            return True
        p = p.parentWidget()
    return False


def too_narrow(root: QWidget) -> list[str]:
    """Visible labels and buttons showing less than their whole text."""
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.width() <= 0 or isinstance(w, QScrollBar):
            continue
        if w.property("elides"):  # draws its text elided on purpose (and has a tooltip)
            continue
        if isinstance(w, QLabel):
            if not w.text() or w.wordWrap() or w.pixmap() is not None and not w.pixmap().isNull():
                continue
            need = w.sizeHint().width()
        elif isinstance(w, QAbstractButton):  # with text or only an icon: both get squashed
            need = w.sizeHint().width()
        else:
            continue
        if need > w.width() + SLACK:
            out.append(f"{_name(w)} is {w.width()} px wide, its text needs {need} px")
        if isinstance(w, QLabel) and w.wordWrap() is False and w.height() + SLACK < w.sizeHint().height():
            out.append(f"{_name(w)} is {w.height()} px high, its text needs {w.sizeHint().height()} px")
    return out


def squashed(root: QWidget) -> list[str]:
    """Fields and boxes given less height than their text needs (a combo box cut to a sliver
    when a neighbour takes the room: the rule editor's Action rows beside a long error)."""
    out = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, (QComboBox, QLineEdit, QAbstractSpinBox)) or not w.isVisibleTo(root):
            continue
        if isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue        # the editor inside an editable box: the box's frame holds its height
        if w.width() <= 0 or _inside_scrolling(w, root):
            continue
        need = w.minimumSizeHint().height()
        if w.height() + SLACK < need:
            out.append(f"{_name(w)} is {w.height()} px high, its text needs {need} px")
    return out


def wrapped_cut(root: QWidget) -> list[str]:
    """Word-wrapped labels given less height than their wrapped text needs (a last line cut off)."""
    out = []
    for w in root.findChildren(QLabel):
        if not (w.isVisibleTo(root) and w.wordWrap() and w.text() and w.width() > 0):
            continue
        if _inside_scrolling(w, root):
            continue
        need = w.heightForWidth(w.width())
        if need > w.height() + SLACK:
            out.append(f"{_name(w)} is {w.height()} px high, its wrapped text needs {need} px")
    return out


def overlaps(root: QWidget) -> list[str]:
    """Siblings placed by one layout that overlap."""
    out = []
    for parent in [root, *root.findChildren(QWidget)]:
        if not parent.isVisibleTo(root) and parent is not root:
            continue
        layout = parent.layout()
        if layout is None:
            continue
        kids = [
            c
            for c in parent.findChildren(QWidget, options=_direct())
            if c.isVisibleTo(root) and not c.isWindow() and _in_layout(layout, c)
        ]
        for i, a in enumerate(kids):
            ra: QRect = a.geometry()
            for b in kids[i + 1 :]:
                inter = ra.intersected(b.geometry())
                if inter.width() > SLACK and inter.height() > SLACK:
                    out.append(f"{_name(a)} and {_name(b)} overlap by {inter.width()}x{inter.height()} px")
    return out


def outside(root: QWidget) -> list[str]:
    """Widgets of a layout that stick out of their parent (cut off at its edge)."""
    out = []
    for parent in [root, *root.findChildren(QWidget)]:
        if (not parent.isVisibleTo(root) and parent is not root) or parent.layout() is None:
            continue
        if _inside_scrolling(parent, root) or isinstance(parent, QAbstractScrollArea):
            continue
        area = parent.rect()
        for c in parent.findChildren(QWidget, options=_direct()):
            if not c.isVisibleTo(root) or c.isWindow() or not _in_layout(parent.layout(), c):
                continue
            g = c.geometry()
            if g.right() > area.right() + SLACK or g.bottom() > area.bottom() + SLACK:
                out.append(
                    f"{_name(c)} ends at {g.right()},{g.bottom()} outside "
                    f"{_name(parent)} {area.width()}x{area.height()}"
                )
    return out


def clipped(root: QWidget) -> list[str]:
    """Controls cut off by an ancestor's edge (a page wider than the window, for instance)."""
    out = []
    kinds = (QLabel, QAbstractButton, QComboBox, QLineEdit)
    for w in root.findChildren(QWidget):
        if not isinstance(w, kinds) or not w.isVisibleTo(root) or w.width() <= 0:
            continue
        if _inside_scrolling(w, root):
            continue
        r = w.rect()
        top_left = w.mapTo(root, r.topLeft())
        shown = QRect(top_left, r.size())
        p = w.parentWidget()
        free_v = free_h = False  # passed a scroll area: what it scrolls out can be scrolled back
        while p is not None and p is not root.parentWidget():
            area = QRect(p.mapTo(root, p.rect().topLeft()), p.rect().size())
            scroller = p if isinstance(p, QScrollArea) else p.parentWidget()
            if isinstance(scroller, QScrollArea) and p is scroller.viewport():
                off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                free_v = free_v or scroller.verticalScrollBarPolicy() != off
                free_h = free_h or scroller.horizontalScrollBarPolicy() != off
            if free_v:
                area.setTop(-(10**6))
                area.setBottom(10**6)
            if free_h:
                area.setLeft(-(10**6))
                area.setRight(10**6)
            shown = shown.intersected(area)
            if p is root:
                break
            p = p.parentWidget()
        if shown.width() + SLACK < r.width():
            out.append(f"{_name(w)} is cut off: {shown.width()} of {r.width()} px wide shown")
    return out


def _direct():
    return Qt.FindChildOption.FindDirectChildrenOnly


def problems(root: QWidget) -> list[str]:
    return (too_narrow(root) + squashed(root) + wrapped_cut(root) + overlaps(root) + outside(root)
            + clipped(root))
