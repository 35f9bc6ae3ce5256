"""The style sheet, checked on what it draws: a disabled button looks disabled (the Delete button
in Categories kept its red text when disabled) and a spin box shows both arrows (the wait-time
box showed none), in both themes, on every button of the real window and the dialogs' spin boxes.

"Looks" is measured on the rendered pixels: the ink of a widget is how far its most distinct
pixel is from its most common (background) colour."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QWidget

from app.gui.main_window import VIEWS

pytestmark = pytest.mark.gui


def _pixels(img: QImage, x0: int = 0, x1: int | None = None) -> list[QColor]:
    x1 = img.width() if x1 is None else x1
    return [img.pixelColor(x, y) for x in range(x0, x1) for y in range(img.height())]


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def ink(img: QImage, x0: int = 0, x1: int | None = None) -> tuple[int, QColor]:
    """(distance, colour) of the pixel farthest from the region's most common colour."""
    pixels = _pixels(img, x0, x1)
    background = Counter(p.rgb() for p in pixels).most_common(1)[0][0]
    bg = QColor.fromRgb(background)
    far = max(pixels, key=lambda p: _distance(p, bg))
    return _distance(far, bg), far


def _grab(widget: QWidget, enabled: bool) -> QImage:
    was = widget.isEnabled()
    widget.setEnabled(enabled)
    try:
        return widget.grab().toImage()
    finally:
        widget.setEnabled(was)


def test_every_disabled_button_looks_disabled_in_both_themes(controller, window, qtbot):
    found: list[str] = []
    checked = 0
    for scheme in ("light", "dark"):
        controller.theme.set_preference(scheme)
        disabled = QColor(controller.theme.color("disabled"))
        for key in VIEWS:
            window.show_view(key)
            qtbot.wait(20)
            buttons = [b for b in window.views[key].findChildren(QAbstractButton) if b.isVisible()]
            kinds = ("QPushButton", "QToolButton")
            buttons = [b for b in buttons if b.width() > 8 and type(b).__name__ in kinds]
            for b in buttons:
                off_ink, off_color = ink(_grab(b, False))
                checked += 1
                if off_ink and _distance(off_color, disabled) > 60:
                    name = f"{scheme} {key}: {type(b).__name__}({b.text() or b.toolTip()!r})"
                    found.append(f"{name} draws {off_color.name()} when disabled, not {disabled.name()}")
    assert checked > 20
    assert found == [], "\n".join(found)


def test_spin_boxes_show_both_arrows_in_both_themes(controller, window, qtbot):
    from app.gui.watch_dialog import WatchDialog

    dialog = WatchDialog(controller.db)
    qtbot.addWidget(dialog)
    dialog.show()
    boxes = [*dialog.findChildren(QAbstractSpinBox), *window.findChildren(QAbstractSpinBox)]
    assert boxes, "no spin box to check"
    found = []
    for scheme in ("light", "dark"):
        controller.theme.set_preference(scheme)
        qtbot.wait(20)
        for box in boxes:
            img = box.grab().toImage()
            half = img.height() // 2
            top = img.copy(0, 0, img.width(), half)
            bottom = img.copy(0, half, img.width(), img.height() - half)
            for part, where in ((top, "up"), (bottom, "down")):
                strength, _c = ink(part, part.width() - 20, part.width() - 2)
                if strength < 60:
                    name = box.accessibleName() or type(box).__name__
                    found.append(f"{scheme}: {name} has no {where} arrow")
    assert found == [], "\n".join(found)
