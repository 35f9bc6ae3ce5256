"""The app on a tree nobody made for it: a copy of /usr/share/doc (thousands of files, real
duplicates: licences and changelogs), scanned and previewed in an 800x600 window. Dashboard,
Duplicates and the Organizer with a preview of "By extension" must show no broken layout and
no page may scroll; then every copy is trashed from the Duplicates view, and the status bar and
the Dashboard must tell what is on disk. Screenshots go to $FO_LAYOUT_SHOTS (or the test's tmp
folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.gui.journey import CTRL, SHIFT, answer_next_dialog, choose_folder, click, pick, shortcut, wait_for
from tests.gui.layout_check import problems
from tests.gui.test_layout import scrolling

pytestmark = pytest.mark.gui

DOC = Path("/usr/share/doc")


@pytest.mark.skipif(not DOC.is_dir() or not any(DOC.iterdir()), reason="no /usr/share/doc here")
def test_a_copy_of_usr_share_doc_at_800x600(window, wait_idle, qtbot, tmp_path):
    tree = tmp_path / "doc"
    shutil.copytree(DOC, tree, symlinks=True)
    shots = Path(os.environ.get("FO_LAYOUT_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (800, 600), timeout=5000)
    choose_folder(qtbot, str(tree))
    click(qtbot, window.add_btn)
    wait_for(qtbot, lambda: window.session.folders() == [str(tree)])
    wait_idle(240)
    found = []
    for key, digit in (("dashboard", Qt.Key.Key_1), ("duplicates", Qt.Key.Key_3)):
        shortcut(qtbot, window, digit)
        wait_idle()
        window.grab().save(str(shots / f"real-{key}-800x600.png"))
        found += [f"{key}: {p}" for p in problems(window) + scrolling(window, key)]
    assert window.views["duplicates"].model.group_count() > 0  # copies of licences, at least
    shortcut(qtbot, window, Qt.Key.Key_2)
    wait_idle()
    organizer = window.views["organizer"]
    pick(qtbot, organizer.rule_source, "by-extension")
    click(qtbot, organizer.preview_btn)
    wait_idle(120)
    assert organizer.plan_model.rowCount() > 0
    assert organizer.summary.text().endswith(("matched", "note")), organizer.summary.text()
    window.grab().save(str(shots / "real-organizer-preview-800x600.png"))
    found += [f"organizer: {p}" for p in problems(window) + scrolling(window, "organizer")]
    assert found == [], "\n".join(found)

    # every copy to the trash, as a person would: Ctrl+3, Ctrl+Shift+A, Move to trash, confirm
    shortcut(qtbot, window, Qt.Key.Key_3)
    dupes = window.views["duplicates"]
    shortcut(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    wait_idle()
    copies = len(dupes.model.marked)
    assert copies > 0
    answer_next_dialog(qtbot, "accept")
    click(qtbot, dupes.trash_btn)
    wait_idle(120)
    assert window.status_area.detail.text().startswith(f"{copies:,} files moved to the trash, ")
    shortcut(qtbot, window, Qt.Key.Key_1)
    dash = window.views["dashboard"]
    on_disk = sum(not os.path.islink(os.path.join(d, f)) for d, _s, files in os.walk(tree) for f in files)
    wait_for(qtbot, lambda: dash.card_files.value.text() == f"{on_disk:,}")
    assert dash.card_dupes.hint.text() == "No duplicates found"
    window.grab().save(str(shots / "real-dashboard-after-trash-800x600.png"))
