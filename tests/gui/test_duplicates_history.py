"""Duplicates and History views on a real folder: scan, auto-select, trash, undo; filters; big lists."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from app.gui.models.duplicates import NAME

pytestmark = pytest.mark.gui


@pytest.fixture
def scanned(controller, window, dup_folder, wait_idle):
    controller.session.add_folders([str(dup_folder)], scan=True)
    wait_idle()
    window.show_view("duplicates")
    wait_idle()
    view = window.views["duplicates"]
    assert view.model.marked == set()  # nothing is checked until the user asks
    view.select_btn.click()  # Select copies (keep the oldest)
    wait_idle()
    return view


def test_groups_largest_first_and_auto_selected_by_policy(scanned, dup_folder):
    view = scanned
    model = view.model
    assert model.group_count() == 2
    assert model.rowCount() == 2 + 3 + 2  # header rows + expanded files
    first = model.group_at(model.group_row(0))
    assert first.size == 40_000 and len(first.files) == 3  # a.bin: 80 KB reclaimable
    # keep oldest: the aged a.bin and b.txt stay unchecked, every other copy is checked
    assert model.marked == {
        str(dup_folder / "sub" / "a copy.bin"),
        str(dup_folder / "other" / "a.bin"),
        str(dup_folder / "sub" / "b.txt"),
    }
    assert model.kept[0].endswith("Stuff/a.bin")
    kept_row = next(
        r for r in range(model.rowCount()) if model.file_at(r) and model.file_at(r).path == model.kept[0]
    )
    assert model.data(model.index(kept_row, NAME), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.data(model.index(0, NAME), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.PartiallyChecked
    assert "3 checked" in view.summary.text()
    view.model.toggle(0)  # collapse the first group
    assert model.rowCount() == 2 + 2


def test_manual_check_never_selects_the_last_copy(scanned):
    model = scanned.model
    header = model.group_row(1)  # b.txt: 2 copies, one checked already
    g = model.group_at(header)
    for r in range(header + 1, header + 1 + len(g.files)):
        model.setData(model.index(r, NAME), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert sum(f.path in model.marked for f in g.files) == len(g.files) - 1
    model.setData(model.index(header, NAME), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not any(f.path in model.marked for f in g.files)


def test_filters(scanned, qtbot):
    view = scanned
    view.search.setText("b.txt")
    view.apply_filter()
    assert view.model.group_count() == 1
    view.search.clear()
    view.size_box.setCurrentIndex(view.size_box.findData(100 * 1024))
    assert view.model.group_count() == 0
    view.size_box.setCurrentIndex(0)
    view.cat_box.setCurrentIndex(view.cat_box.findData("documents"))
    assert view.model.group_count() == 1  # b.txt
    view.cat_box.setCurrentIndex(0)
    assert view.model.group_count() == 2


def test_trash_then_undo_from_the_result_banner(scanned, dup_folder, monkeypatch, wait_idle, controller):
    import app.gui.views.duplicates as dup_view

    asked = []
    monkeypatch.setattr(
        dup_view,
        "confirm_action",
        lambda parent, action, paths, nbytes, dest=None, note="": (
            asked.append((action, paths, nbytes)) or True
        ),
    )
    view = scanned
    view.trash_btn.click()
    wait_idle()
    assert asked[0][0] == "trash" and len(asked[0][1]) == 3 and asked[0][2] == 2 * 40_000 + 11_000
    assert not (dup_folder / "sub" / "a copy.bin").exists()
    assert not (dup_folder / "other" / "a.bin").exists()
    assert (dup_folder / "a.bin").exists() and (dup_folder / "b.txt").exists()
    assert view.model.group_count() == 0
    assert view.banner.isVisible() and "3 files moved to the trash" in view.banner.text.text()
    assert view.banner.action.text() == "Undo"

    view.banner.action.click()
    wait_idle()
    assert (dup_folder / "sub" / "a copy.bin").exists()
    assert (dup_folder / "other" / "a.bin").exists()
    assert "Undone" in view.banner.text.text()
    assert view.model.group_count() == 2  # rescanned: the copies are back


def test_history_lists_the_operation_and_undoes_it(
    scanned, dup_folder, monkeypatch, wait_idle, window, qtbot
):
    import app.gui.views.duplicates as dup_view

    monkeypatch.setattr(dup_view, "confirm_action", lambda *a, **k: True)
    scanned.trash_btn.click()
    wait_idle()
    window.show_view("history")
    wait_idle()
    hist = window.views["history"]
    assert hist.entries.rowCount() == 1
    entry = hist.entries.rows[0]
    assert entry.source == "duplicates" and entry.done_count == 3
    qtbot.waitUntil(lambda: hist.records.rowCount() == 3, timeout=5000)
    assert hist.undo_btn.isEnabled()
    hist.undo_btn.click()
    wait_idle()
    assert (dup_folder / "sub" / "b.txt").exists()
    qtbot.waitUntil(lambda: hist.entries.rowCount() == 2, timeout=5000)
    sources = sorted(e.source for e in hist.entries.rows)
    assert sources == ["duplicates", "undo"]
    undone = next(e for e in hist.entries.rows if e.source == "duplicates")
    assert undone.status == "undone"


def test_dashboard_counts_after_trash(scanned, monkeypatch, wait_idle, window, qtbot):
    import app.gui.views.duplicates as dup_view

    monkeypatch.setattr(dup_view, "confirm_action", lambda *a, **k: True)
    scanned.trash_btn.click()
    wait_idle()
    window.show_view("dashboard")
    wait_idle()
    dash = window.views["dashboard"]
    assert dash.activity_model.rowCount() == 1


class _File:
    __slots__ = ("path", "size", "mtime_ns", "inode", "dev", "nlink", "hardlinked")

    def __init__(self, path, size, ino):
        self.path, self.size, self.mtime_ns, self.inode, self.dev, self.nlink = path, size, ino, ino, 1, 1
        self.hardlinked = False


class _Group:
    __slots__ = ("size", "hash", "files")

    def __init__(self, i):
        self.size = 1000 + i
        self.hash = f"{i:064x}"
        self.files = [_File(f"/data/f{i}/copy{j}.dat", self.size, i * 3 + j) for j in range(2)]

    @property
    def copies(self):
        return len(self.files)

    @property
    def reclaimable(self):
        return self.size


def test_hundred_thousand_groups_load_scroll_and_filter(window, qtbot):
    """100,000 groups load, every part of the list paints, and the filter finds the one wanted.
    The times are printed (pytest -s), not asserted: on a shared 2-core machine a repaint took
    0.23 s once under load; speed is for bench/, not for pass/fail."""
    view = window.views["duplicates"]
    window.show_view("duplicates")
    groups = [_Group(i) for i in range(100_000)]
    t0 = time.perf_counter()
    view.model.set_groups(groups)
    view.pages.setCurrentIndex(1)
    qtbot.wait(10)
    load = time.perf_counter() - t0
    assert view.model.group_count() == 100_000
    bar = view.tree.verticalScrollBar()
    assert bar.maximum() > 0
    worst = 0.0
    for value in [*range(0, bar.maximum(), max(1, bar.maximum() // 40)), bar.maximum()]:
        t = time.perf_counter()
        bar.setValue(value)
        view.tree.viewport().repaint()
        worst = max(worst, time.perf_counter() - t)
        assert view.tree.indexAt(view.tree.viewport().rect().topLeft()).isValid()
    t = time.perf_counter()
    view.search.setText("f99999/")
    view.apply_filter()
    filter_time = time.perf_counter() - t
    assert view.model.group_count() == 1
    print(f"100k groups: load {load:.3f} s, slowest scroll repaint {worst:.3f} s, filter {filter_time:.3f} s")


def test_replace_with_hard_links(scanned, dup_folder, qtbot, wait_idle):
    from tests.gui.journey import answer_next_dialog

    answer_next_dialog(qtbot, "accept")  # the real confirmation, with its owners option unchecked
    scanned.link_btn.click()
    wait_idle()
    kept = (dup_folder / "a.bin").stat()
    for copy in (dup_folder / "sub" / "a copy.bin", dup_folder / "other" / "a.bin"):
        assert copy.stat().st_ino == kept.st_ino  # same file on disk now
    assert kept.st_nlink == 3
    assert scanned.model.group_count() == 0
    assert "replaced with hard links" in scanned.banner.text.text()


def test_move_copies_to_a_folder(scanned, dup_folder, tmp_path, monkeypatch, wait_idle):
    from PySide6.QtWidgets import QFileDialog

    import app.gui.views.duplicates as dup_view

    target = tmp_path / "Set aside"
    target.mkdir()
    monkeypatch.setattr(dup_view, "confirm_action", lambda *a, **k: True)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(target)))
    scanned.move_btn.click()
    wait_idle()
    assert sorted(p.name for p in target.iterdir()) == ["a copy.bin", "a.bin", "b.txt"]
    assert not (dup_folder / "other" / "a.bin").exists()
    assert (dup_folder / "a.bin").exists() and (dup_folder / "b.txt").exists()


def test_confirm_dialog_lists_files_and_bytes(window, qtbot):
    from PySide6.QtWidgets import QLabel

    from app.gui.confirm import ConfirmDialog

    dialog = ConfirmDialog(window, "trash", ["/x/a.bin", "/x/b.bin"], 2_500_000)
    qtbot.addWidget(dialog)
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert dialog.files.count() == 2
    assert any("Move 2 files to the trash?" in t for t in labels)
    assert any("2.4 MiB in total" in t for t in labels)  # 2,500,000 bytes in binary units
