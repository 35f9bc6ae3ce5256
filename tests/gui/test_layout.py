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
from PySide6.QtCore import Qt
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
    # one shot per view, theme and size (other tests may put theirs into FO_LAYOUT_SHOTS too)
    assert all((shots / f"{key}-{scheme}-{w}x{h}.png").is_file()
               for key in VIEWS for scheme in ("light", "dark") for w, h in SIZES)


def fits_a_small_screen(dialog) -> list[str]:
    """A dialog must fit on an 800x600 screen, frame and all, whatever the window's size."""
    frame = dialog.frameGeometry()
    if frame.width() <= 800 and frame.height() <= 600:
        return []
    return [f"{type(dialog).__name__} is {frame.width()}x{frame.height()} px: more than an 800x600 screen"]


@pytest.mark.parametrize("size", [None, (800, 600), (1440, 900)])
def test_the_rule_editor_and_the_confirmation_fit_with_an_error_and_long_names(
    window, qtbot, tmp_path, size
):
    """At their default size over the default window, and over the window at 800x600 and at
    1440x900: no clipped text, no overlap, never larger than an 800x600 screen."""
    from app.gui.confirm import ConfirmDialog
    from app.gui.views.rule_editor import RuleEditor

    if size is not None:
        window.resize(*size)
        qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=5000)
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
    shots = Path(os.environ.get("FO_LAYOUT_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    where = "default" if size is None else f"{size[0]}x{size[1]}"
    editor.grab().save(str(shots / f"rule-editor-over-{where}.png"))
    assert problems(editor) + fits_a_small_screen(editor) == []
    names = [f"/x/写真_{i}_旅行_2024.jpg" for i in range(5)]
    dialog = ConfirmDialog(window, "trash", names, 5000)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait(50)
    dialog.grab().save(str(shots / f"confirm-over-{where}.png"))
    assert problems(dialog) + fits_a_small_screen(dialog) == []
    rows = [dialog.files.visualItemRect(dialog.files.item(i)).height() for i in range(5)]
    assert min(rows) >= dialog.files.fontMetrics().height()


@pytest.fixture
def copyrights(tmp_path):
    """Four copies of one licence, each in a package folder deep in a doc tree (as in
    /usr/share/doc): the rows all read "copyright", only the end of the folder tells them apart."""
    root = tmp_path / "usr" / "share" / "doc"
    packages = ("libreoffice-style-colibre", "libreoffice-style-elementary",
                "python3-pyside6.qtwidgets", "python3-pyside6.qtnetwork")
    for name in packages:
        (root / name).mkdir(parents=True)
        (root / name / "copyright").write_bytes(b"Format: https://www.debian.org/doc/\n" * 300)
    for i in range(30):  # enough smaller groups that the table scrolls up and down
        for name in packages[:2]:
            (root / name / f"changelog.{i}.gz").write_bytes(b"%d" % i * (100 + i))
    return root, packages


def folder_shown(table, row: int) -> str:
    """The Folder cell of ``row`` as the table draws it: elided the way its delegate elides."""
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    from app.gui.models.duplicates import FOLDER

    index = table.model().index(row, FOLDER)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualRect(index)
    table.itemDelegateForIndex(index).initStyleOption(option, index)
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return option.fontMetrics.elidedText(option.text, option.textElideMode, option.rect.width() - 2 * margin)


@pytest.mark.parametrize(
    "scheme,size",
    [("light", (800, 600)), ("dark", (800, 600)), ("light", (1024, 640)), ("dark", (1440, 900))],
)
def test_every_column_of_the_duplicates_table_is_in_view(
    controller, window, copyrights, tmp_path, wait_idle, qtbot, scheme, size
):
    """No sideways scrolling: Name, Size, Modified and Folder all inside the table's viewport, the
    Folder column showing the end of each path (the package folder that tells the rows apart),
    the full path in its tooltip."""
    from app.gui.models.duplicates import COLUMNS, FOLDER

    root, packages = copyrights
    shots = Path(os.environ.get("FO_LAYOUT_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    controller.theme.set_preference(scheme)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=5000)
    controller.session.add_folders([str(root.parent.parent)], scan=True)
    wait_idle()
    window.show_view("duplicates")
    wait_idle()
    qtbot.wait(30)
    view = window.views["duplicates"]
    table = view.tree
    assert view.model.group_count() == 31
    assert table.verticalScrollBar().maximum() > 0  # its scroll bar takes width from the columns
    window.grab().save(str(shots / f"duplicates-{scheme}-{size[0]}x{size[1]}.png"))

    header, width = table.horizontalHeader(), table.viewport().width()
    for column in range(len(COLUMNS)):
        left = header.sectionViewportPosition(column)
        right = left + header.sectionSize(column)
        assert left >= 0 and right <= width + 1, (
            f"column {COLUMNS[column]!r} spans {left}..{right} px of a {width} px wide table"
        )
    assert table.horizontalScrollBar().maximum() == 0
    assert not table.horizontalScrollBar().isVisible()

    files = [view.model.file_at(r) for r in range(view.model.rowCount())]
    rows = [r for r, f in enumerate(files) if f is not None and f.path.endswith("/copyright")]
    assert len(rows) == 4
    labels = [view.model.index(r, FOLDER).data() for r in rows]
    shown = [folder_shown(table, r) for r in rows]
    assert len(set(shown)) == 4, f"the four rows cannot be told apart: {shown}"
    for label, text in zip(labels, shown, strict=True):  # the end of the path, what differs
        assert text == label or (text.startswith("…") and label.endswith(text[1:])), (label, text)
        if size[0] >= 1024:  # the folder's own name whole
            assert text.endswith("/" + label.rsplit("/", 1)[-1]), (label, text)
    if size[0] >= 1440:
        assert shown == labels  # room for the whole of each folder
    tips = {view.model.index(r, FOLDER).data(Qt.ItemDataRole.ToolTipRole) for r in rows}
    assert {str(root / name / "copyright") for name in packages} <= {t.split(" (")[0] for t in tips}
    assert problems(window) == []
