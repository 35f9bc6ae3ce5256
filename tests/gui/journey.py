"""What a person does with the window, for the journey tests: keys, clicks, typing, dialogs.

Every helper goes through Qt's input events (pytest-qt's qtbot), not through the views'
methods, so a test fails where a user would see the app fail.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QStyle,
    QStyleOptionViewItem,
    QWidget,
)

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def shortcut(qtbot, window: QWidget, key: Qt.Key, modifiers=CTRL) -> None:
    """Press a shortcut the way the keyboard does: to the widget that has the focus."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    focus = QApplication.focusWidget()
    target = focus if focus is not None and focus.window() is window else window
    qtbot.keyClick(target, key, modifiers)


def click(qtbot, widget: QWidget) -> None:
    """A left click in the middle of a visible, enabled widget (a button, a check box)."""
    assert widget.isVisible(), f"{widget!r} ({_text(widget)}) is not visible"
    assert widget.isEnabled(), f"{widget!r} ({_text(widget)}) is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def type_into(qtbot, field: QWidget, text: str, clear: bool = False) -> None:
    """Click into a field and type; ``clear`` selects what is there first (Ctrl+A)."""
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=field.rect().center())
    if clear:
        qtbot.keyClick(field, Qt.Key.Key_A, CTRL)
        qtbot.keyClick(field, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(field, text)


def click_row(qtbot, view: QAbstractItemView, row: int, column: int = 0, double: bool = False) -> None:
    """Click (or double-click) a cell of a table, scrolling it into view first."""
    index = view.model().index(row, column)
    view.scrollTo(index)
    pos = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    if double:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def click_check(qtbot, view: QAbstractItemView, row: int, column: int) -> None:
    """Click the check box of a cell, where the style draws it."""
    index = view.model().index(row, column)
    view.scrollTo(index)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    rect = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def answer_next_dialog(
    qtbot, button: str | None = "accept", seen: list | None = None, timeout_ms: int = 10_000
) -> None:
    """Answer the next modal dialog when it opens: click the button whose text contains
    ``button`` ("accept"/"reject" for the dialog's default answers). ``seen`` collects the
    texts of the labels the dialog showed, to assert on what the user read."""

    def texts(dialog: QWidget) -> list[str]:
        out = [w.text() for w in dialog.findChildren(QLabel) if w.text()]
        if isinstance(dialog, QMessageBox):
            out += [dialog.text(), dialog.informativeText()]
        lists = [w for w in dialog.findChildren(QAbstractItemView)]
        for lst in lists:
            model = lst.model()
            out += [str(model.index(r, 0).data()) for r in range(min(model.rowCount(), 50))]
        return out

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, answer)
            return
        if seen is not None:
            seen.append(texts(dialog))
        if button == "accept" and isinstance(dialog, QDialog) and not isinstance(dialog, QMessageBox):
            dialog.accept()
            return
        if button == "reject":
            dialog.reject()
            return
        buttons = [b for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
        if button == "accept":
            box: QMessageBox = dialog  # type: ignore[assignment]
            chosen = box.defaultButton() or buttons[0]
        else:
            chosen = next((b for b in buttons if button.lower() in b.text().lower().replace("&", "")), None)
            assert chosen is not None, f"no button {button!r} in {[b.text() for b in buttons]}"
        chosen.click()

    QTimer.singleShot(0, answer)


def pick(qtbot, box, data) -> None:
    """Choose the entry holding ``data`` in a combo box with the arrow keys, as from the keyboard."""
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(box.count()):
        if box.currentData() == data:
            return
        qtbot.keyClick(box, Qt.Key.Key_Down)
    raise AssertionError(f"{data!r} is not offered in {box.accessibleName()}")


def wait_for(qtbot, condition: Callable[[], bool], timeout_ms: int = 10_000) -> None:
    qtbot.waitUntil(condition, timeout=timeout_ms)


def visible_text(widget: QWidget) -> str:
    """All the text a person can read in ``widget`` now (labels and buttons that are shown)."""
    parts = []
    for w in widget.findChildren(QWidget):
        if not w.isVisibleTo(widget) and w is not widget:
            continue
        if isinstance(w, QLabel | QAbstractButton) and w.text():
            parts.append(w.text())
    return "\n".join(parts)


def _text(widget: QWidget) -> str:
    return widget.text() if hasattr(widget, "text") else widget.objectName()


def center(widget: QWidget) -> QPoint:
    return widget.rect().center()


def choose_folder(qtbot, path: str) -> None:
    """Answer the next "choose a folder" dialog by typing ``path`` into it and pressing Enter."""
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        field = dialog.findChild(QLineEdit, "fileNameEdit")
        field.setText(path)
        qtbot.keyClick(field, Qt.Key.Key_Return)
        if dialog.isVisible():  # some styles select the folder first: Enter again accepts it
            dialog.accept()

    QTimer.singleShot(0, answer)
