"""The folder watcher sorts by the custom categories in the database, including ones another
program (the command line, a sync) added while it was running."""

from __future__ import annotations

from pathlib import Path

from app.core.scan.categories import use_custom
from app.jobs import categories
from app.jobs.watch import WatchService
from app.store.db import open_database
from app.store.watched import WatchedFolder
from tests.core.watch_helpers import wait_for


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_watcher_uses_custom_categories_added_while_it_runs(app_home, tmp_path):
    inbox, dest = tmp_path / "Downloads", tmp_path / "Sorted"
    inbox.mkdir()
    db = open_database()
    svc = WatchService(db, [WatchedFolder(str(inbox), {"preset": "by-category"}, str(dest))], settle=0.3,
                       health_interval=0.2)
    assert svc.start() == []
    try:
        (inbox / "a.epub").write_bytes(b"book")
        assert wait_for(lambda: tree(dest) == ["documents/a.epub"])
        other = open_database(db.path)          # another program's connection to the same database
        try:
            categories.add(other, "E-books", ["epub"])
        finally:
            other.close()
        use_custom({})                          # this process was not told
        (inbox / "b.epub").write_bytes(b"another book")
        assert wait_for(lambda: tree(dest) == ["E-books/b.epub", "documents/a.epub"])
    finally:
        svc.stop()
        db.close()
