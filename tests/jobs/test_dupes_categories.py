"""The duplicate finder (and its forked helpers) keeps files in their custom categories: a
signature in the first bytes (a TIFF header in a .cr2) does not override one."""

from __future__ import annotations

import os
import sqlite3

from app.core.progress import Progress
from app.core.scan.categories import use_custom
from app.jobs import categories
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import scan
from app.store.db import open_database


def test_duplicates_keep_custom_categories(app_home, tmp_path):
    root = tmp_path / "photos"
    (root / "copy").mkdir(parents=True)
    raw = b"II*\x00" + os.urandom(5000)
    for rel in ("IMG_1.CR2", "copy/IMG_1.CR2", "IMG_2.cr2"):
        (root / rel).write_bytes(raw if rel.endswith("1.CR2") else b"II*\x00" + os.urandom(3000))
    (root / "scan.tif").write_bytes(raw)          # same bytes, built-in extension
    db = open_database()
    try:
        categories.add(db, "RAW photos", ["cr2"])
        use_custom({})                            # a fresh process: nothing active yet
        result = find_duplicates(db, [str(root)], progress=Progress())
        assert len(result.groups) == 1 and len(result.groups[0].files) == 3
        with sqlite3.connect(db.path) as conn:
            rows = conn.execute("SELECT name, category FROM files ORDER BY name").fetchall()
        assert sorted(set(rows)) == [("IMG_1.CR2", "RAW photos"), ("IMG_2.cr2", "RAW photos"),
                                     ("scan.tif", "images")]
    finally:
        db.close()


def test_the_type_found_in_the_first_bytes_is_stored_with_the_hashes(app_home, tmp_path):
    """A copied photo saved as .dat is an image once its first bytes were read, whether its
    hashes were found during a first walk (stored by path) or after a scan (stored by row id);
    its plain copies keep the category of their names."""
    jpeg = b"\xff\xd8\xff\xe0" + os.urandom(4000)
    text = b"same notes " * 300
    for folder in ("first", "scanned"):
        root = tmp_path / folder
        (root / "copy").mkdir(parents=True)
        for rel in ("photo.dat", "copy/photo.dat"):
            (root / rel).write_bytes(jpeg)
        for rel in ("notes.txt", "copy/notes.txt"):
            (root / rel).write_bytes(text)
    db = open_database()
    try:
        find_duplicates(db, [str(tmp_path / "first")], progress=Progress())
        scan(db, [str(tmp_path / "scanned")], progress=Progress())
        result = find_duplicates(db, [str(tmp_path / "scanned")], progress=Progress())
        assert result.hashed_files == 4
        with sqlite3.connect(db.path) as conn:
            rows = conn.execute("SELECT name, category, full_hash IS NOT NULL FROM files").fetchall()
        assert sorted(set(rows)) == [("notes.txt", "documents", 1), ("photo.dat", "images", 1)]
        assert len(rows) == 8
    finally:
        db.close()
