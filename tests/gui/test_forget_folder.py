"""Removing a scanned folder drops its rows from the index (in a background job): the dashboard,
the duplicates and the index totals the reports use count only the folders still scanned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.gui import fmt

pytestmark = pytest.mark.gui


def make_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def disk_totals(root: Path) -> tuple[int, int, int]:
    """(files, bytes, folders) as the scan sees them: regular files, the root folder included."""
    files = size = folders = 0
    for _d, _dirs, names in os.walk(root):
        folders += 1
        for name in names:
            files += 1
            size += (Path(_d) / name).stat().st_size
    return files, size, folders


def indexed_paths(db) -> list[str]:
    from app.store.codec import from_db

    raw = db.raw()
    try:
        return [from_db(p) for (p,) in raw.driver_connection.execute("SELECT path FROM dirs")]
    finally:
        raw.close()


def test_removing_a_folder_drops_it_from_the_dashboard_and_index(
    controller, window, tmp_path, wait_idle, qtbot
):
    shared = os.urandom(30_000)  # one copy in each folder: a duplicate group across both
    photos = make_tree(
        tmp_path / "Photos",
        {"a.jpg": os.urandom(50_000), "trip/b.jpg": os.urandom(20_000), "trip/same.bin": shared},
    )
    docs = make_tree(
        tmp_path / "Docs",
        {"cv.pdf": os.urandom(7_000), "notes/x.txt": b"x" * 900, "same.bin": shared},
    )
    session = controller.session
    session.add_folders([str(photos), str(docs)], scan=True)
    wait_idle()
    window.show_view("dashboard")
    wait_idle()
    dashboard = window.views["dashboard"]
    both = [disk_totals(photos), disk_totals(docs)]
    assert dashboard.data.files == both[0][0] + both[1][0]
    assert window.views["duplicates"].model.group_count() == 1

    window.show_view("settings")
    folder_list = window.views["settings"].folder_list
    folder_list.list.setCurrentRow(session.folders().index(str(photos)))
    folder_list.remove.click()
    wait_idle()

    files, nbytes, folders = disk_totals(docs)
    window.show_view("dashboard")
    wait_idle()
    assert (dashboard.data.files, dashboard.data.bytes, dashboard.data.folders) == (files, nbytes, folders)
    assert dashboard.card_files.value.text() == fmt.count(files)
    assert dashboard.card_size.value.text() == fmt.size(nbytes)
    assert window.views["duplicates"].model.group_count() == 0  # the copy in Photos is no longer counted

    from app.store import aggregates

    whole = aggregates.totals(session.db)  # the whole index, as an unscoped report reads it
    assert (whole.files, whole.bytes, whole.folders) == (files, nbytes, folders)
    assert not any(p == str(photos) or p.startswith(str(photos) + os.sep) for p in indexed_paths(session.db))
    assert photos.exists() and (photos / "a.jpg").exists()  # nothing on disk is touched
