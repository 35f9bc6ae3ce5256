"""Layout at the sizes people use: every view, light and dark, at 800x600, 1024x640 and
1440x900, with data in it. Fails when a visible label or button is narrower than its text
(or icon) needs, wrapped text is cut, widgets of one layout overlap or stick out, or a control
is cut off by the window; no page scrolls sideways, and only the Dashboard and Settings scroll
up and down as a whole (Organizer, Duplicates, Reports and History fit, their lists scroll).
Screenshots go to the test's tmp folder (or to $FO_LAYOUT_SHOTS, to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QScrollArea

from app.gui.main_window import VIEWS
from tests.gui.layout_check import problems

pytestmark = pytest.mark.gui

SIZES = ((800, 600), (1024, 640), (1440, 900))
# pages made of many sections may scroll up and down; the others fit the window at 800x600 and
# scroll only inside their lists. No page scrolls sideways.
MAY_SCROLL = ("dashboard", "settings")


def scrolling(window, key: str) -> list[str]:
    """The page of view ``key`` and the scroll areas inside it that scroll as a page (not a list)."""
    page = window.pages[key]
    areas = [page, *[a for a in page.findChildren(QScrollArea) if a.isVisibleTo(page)]]
    out = []
    for area in areas:
        name = area.objectName() or type(area.widget()).__name__
        if area.horizontalScrollBar().maximum() > 0:
            out.append(f"{name} scrolls sideways by {area.horizontalScrollBar().maximum()} px")
        if key not in MAY_SCROLL and area.verticalScrollBar().maximum() > 0:
            out.append(f"{name} scrolls by {area.verticalScrollBar().maximum()} px")
    return out


def test_every_view_fits_at_every_size_in_both_themes(
    controller, window, dup_folder, tmp_path, wait_idle, qtbot, monkeypatch
):
    shots = Path(os.environ.get("FO_LAYOUT_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    controller.session.add_folders([str(dup_folder)], scan=True)
    wait_idle()
    assert window.minimumSize().width() <= 800 and window.minimumSize().height() <= 600
    found: list[str] = []
    for scheme in ("light", "dark"):
        controller.theme.set_preference(scheme)
        for width, height in SIZES:
            window.resize(width, height)
            size = (width, height)
            qtbot.waitUntil(lambda s=size: (window.width(), window.height()) == s, timeout=5000)
            for key in VIEWS:
                window.show_view(key)
                wait_idle()
                qtbot.wait(30)
                window.grab().save(str(shots / f"{key}-{scheme}-{width}x{height}.png"))
                found += [f"{key} {scheme} {width}x{height}: {p}" for p in problems(window)]
                found += [f"{key} {scheme} {width}x{height}: {p}" for p in scrolling(window, key)]
    assert found == [], "\n".join(found)
    assert len(list(shots.glob("*.png"))) == 2 * len(SIZES) * len(VIEWS)


def test_the_rule_editor_and_the_confirmation_fit_with_an_error_and_long_names(window, qtbot, tmp_path):
    from app.gui.confirm import ConfirmDialog
    from app.gui.views.rule_editor import RuleEditor

    editor = RuleEditor(
        window,
        {"name": "Invoices", "conditions": [{"type": "extension", "extensions": [".pdf"]}],
         "actions": [{"type": "move", "to": "Invoices/{nonsense}"}]},
        str(tmp_path / "Sorted"),
        str(tmp_path),
    )
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.error.text().startswith("⚠"), timeout=5000)
    qtbot.wait(50)
    assert problems(editor) == []
    names = [f"/x/写真_{i}_旅行_2024.jpg" for i in range(5)]
    dialog = ConfirmDialog(window, "trash", names, 5000)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait(50)
    assert problems(dialog) == []
    rows = [dialog.files.visualItemRect(dialog.files.item(i)).height() for i in range(5)]
    assert min(rows) >= dialog.files.fontMetrics().height()
