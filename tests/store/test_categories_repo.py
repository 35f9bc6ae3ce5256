"""Custom categories in the database: versions and tombstones for sync, and the indexed files
re-classified in the same transaction as each change."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app.core.progress import Progress
from app.core.scan.categories import category_for
from app.jobs import categories as jobs
from app.jobs.scan import scan
from app.store import aggregates
from app.store import categories_repo as repo
from app.store.db import open_database

NAMES = ("novel.epub", "story.MOBI", "IMG_1.cr2", "IMG_2.NEF", "report.pdf", "comic.cbz")


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    for i, name in enumerate(NAMES):
        (root / ("sub" if i % 2 else "") / name).write_bytes(b"x" * (i + 1))
    return root


def categories_of(db) -> dict[str, str]:
    with sqlite3.connect(db.path) as conn:
        return dict(conn.execute("SELECT name, category FROM files").fetchall())


def rows(db) -> list[tuple]:
    with sqlite3.connect(db.path) as conn:
        return conn.execute("SELECT name, extensions, version, deleted FROM categories "
                            "ORDER BY id").fetchall()


def test_scan_classifies_by_custom_categories(db, tree):
    jobs.add(db, "E-books", ["epub", "mobi", "azw3"])
    scan(db, [str(tree)], progress=Progress())
    cats = categories_of(db)
    assert cats["novel.epub"] == cats["story.MOBI"] == "E-books"
    assert cats["report.pdf"] == "documents" and cats["IMG_1.cr2"] == "images"
    shares = {s.key: s.files for s in aggregates.by_category(db)}
    assert shares == {"E-books": 2, "images": 2, "documents": 1, "other": 1}


def test_changes_reclassify_indexed_files_in_the_same_transaction(db, tree):
    scan(db, [str(tree)], progress=Progress())
    change = jobs.add(db, "RAW photos", ["CR2", ".nef", "arw"])
    assert change.files == 2
    assert change.category.extensions == (".cr2", ".nef", ".arw")
    assert categories_of(db)["IMG_2.NEF"] == "RAW photos"
    assert category_for("x.arw") == "RAW photos"            # active in this process at once

    # edit: .nef is released (back to images), the rename follows on the files that stay
    change = jobs.edit(db, "raw photos", ["cr2", "arw"], new_name="Camera RAW")
    assert change.files == 2
    cats = categories_of(db)
    assert cats["IMG_1.cr2"] == "Camera RAW" and cats["IMG_2.NEF"] == "images"

    jobs.add(db, "Comics", ["cbz"])
    assert categories_of(db)["comic.cbz"] == "Comics"
    assert jobs.remove(db, "COMICS").files == 1
    assert categories_of(db)["comic.cbz"] == "other"
    assert category_for("x.cbz") == "other"
    # a rescan of the unchanged tree keeps what the change wrote
    scan(db, [str(tree)], progress=Progress())
    assert categories_of(db)["IMG_1.cr2"] == "Camera RAW" and categories_of(db)["comic.cbz"] == "other"


def test_versions_tombstones_and_revival(db):
    jobs.add(db, "E-books", ["epub"])
    jobs.edit(db, "E-books", ["epub", "mobi"])
    jobs.remove(db, "E-books")
    assert rows(db) == [("E-books", '[".epub", ".mobi"]', 3, 1)]
    assert repo.list_categories(db) == []
    # the same name again takes the old row back (one identity for sync), version goes on
    again = jobs.add(db, "e-books", ["azw3"]).category
    assert rows(db) == [("e-books", '[".azw3"]', 4, 0)]
    assert repo.get(db, "E-BOOKS") == again
    # renaming onto a deleted category's name frees the tombstone's name
    jobs.add(db, "Comics", ["cbz"])
    jobs.remove(db, "Comics")
    jobs.edit(db, "e-books", new_name="Comics")
    names = [r[0] for r in rows(db)]
    assert names[0] == "Comics" and names[1].startswith("Comics (deleted ")


def test_invalid_changes_are_rejected_and_leave_everything_as_it_was(db, tree):
    scan(db, [str(tree)], progress=Progress())
    jobs.add(db, "E-books", ["epub"])
    before = (rows(db), categories_of(db))
    with pytest.raises(jobs.CategoryError, match="already belongs to 'E-books'"):
        jobs.add(db, "Books", ["mobi", "epub"])
    with pytest.raises(jobs.CategoryError, match="There is already a category named 'E-books'"):
        jobs.add(db, "e-books", ["mobi"])
    with pytest.raises(jobs.CategoryError, match="no custom category named 'Nope'"):
        jobs.edit(db, "Nope", ["x"])
    with pytest.raises(jobs.CategoryError, match="'images' is a built-in category"):
        jobs.remove(db, "images")
    assert (rows(db), categories_of(db)) == before


def test_overview_lists_built_in_then_custom_with_claimed_extensions(db):
    jobs.add(db, "E-books", ["epub", "mobi", "azw3"])
    rows_ = jobs.overview(db)
    assert [r.name for r in rows_][:8] == ["documents", "images", "audio", "video", "archives", "code",
                                            "installers", "other"]
    docs = rows_[0]
    assert ".epub" in docs.claimed and ".epub" not in docs.extensions and ".pdf" in docs.extensions
    last = rows_[-1]
    assert (last.name, last.extensions, last.custom) == ("E-books", (".epub", ".mobi", ".azw3"), True)


def test_activate_follows_the_database_it_is_given(app_home, tmp_path):
    a, b = open_database(tmp_path / "a.db"), open_database(tmp_path / "b.db")
    try:
        jobs.add(a, "E-books", ["epub"])
        assert repo.activate(b) == {} and category_for("x.epub") == "documents"
        assert repo.activate(a) == {".epub": "E-books"} and category_for("x.epub") == "E-books"
        with sqlite3.connect(a.path) as conn:     # a row another program wrote still loads
            conn.execute("INSERT INTO categories(uuid, name, extensions, version, updated_at, deleted) "
                         "VALUES ('u', 'Comics', ?, 1, 0, 0)", (json.dumps([".cbz"]),))
        assert repo.activate(a) == {".epub": "E-books", ".cbz": "Comics"}
    finally:
        a.close()
        b.close()


def test_renaming_a_category_renames_it_in_the_rules_that_use_it(db):
    from app.core.organize.rules import rule_from_dict
    from app.jobs import organize

    jobs.add(db, "E-books", ["epub"])
    books = organize.save_rule(db, rule_from_dict({
        "name": "Books", "conditions": [{"type": "category", "categories": ["e-books", "documents"]}],
        "actions": [{"type": "move", "to": "Library"}]}))
    other = organize.save_rule(db, rule_from_dict({
        "name": "Pictures", "conditions": [{"type": "category", "categories": ["images"]}],
        "actions": [{"type": "move", "to": "Pictures"}]}))
    jobs.edit(db, "E-books", new_name="Novels")
    saved = {r.uuid: r for r in organize.saved_rules(db)}
    assert saved[books.uuid].conditions[0].options["categories"] == ["Novels", "documents"]
    assert saved[other.uuid].conditions[0].options["categories"] == ["images"]
    with sqlite3.connect(db.path) as conn:
        versions = dict(conn.execute("SELECT name, version FROM rules").fetchall())
    assert versions == {"Books": 2, "Pictures": 1}       # the changed rule goes out with the next sync
