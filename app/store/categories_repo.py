"""The user's custom categories in the database (table ``categories``), soft-deleted for sync.

Every write validates against the other custom categories, bumps the row's version, queues an
outbox item when an account is linked and, in the same transaction, re-classifies the indexed
files whose extensions changed hands: a claimed extension takes the custom name, a released one
gets its built-in category back. ``activate`` makes a database's custom categories the ones the
engine classifies by (scan, rules, templates, watcher); jobs call it when they start.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.scan import categories as core_categories
from app.core.scan.custom_categories import (
    CategoryError,
    CustomCategory,
    builtin_category,
    custom_map,
    validate,
)
from app.store.outbox import category_changed, rule_changed

__all__ = ["CategoryError", "Change", "CustomCategory", "activate", "add", "custom_map", "delete", "edit",
           "get", "list_categories", "read_custom", "reclassify"]


@dataclass(frozen=True, slots=True)
class Change:
    """A stored change: the category as saved (or as it was, when deleted) and how many indexed
    files changed category because of it."""

    category: CustomCategory
    files: int


def _exec(conn, sql: str, params: tuple = ()):
    """Run SQL on a SQLAlchemy Connection or a DB-API (sqlite3) connection."""
    if hasattr(conn, "exec_driver_sql"):
        return conn.exec_driver_sql(sql, params)
    return conn.execute(sql, params)


def read_custom(conn) -> list[CustomCategory]:
    """The custom categories (deleted ones left out), oldest first."""
    rows = _exec(conn, "SELECT uuid, name, extensions FROM categories WHERE deleted = 0 "
                       "ORDER BY id").fetchall()
    out = []
    for uid, name, exts in rows:
        try:
            extensions = tuple(e for e in json.loads(exts) if isinstance(e, str))
        except (TypeError, ValueError):
            extensions = ()
        out.append(CustomCategory(name, extensions, uid))
    return out


def list_categories(db) -> list[CustomCategory]:
    """The custom categories of `db`, oldest first."""
    conn = db.raw()
    try:
        return read_custom(conn)
    finally:
        conn.close()


def get(db, name: str) -> CustomCategory | None:
    """A custom category by name (case-insensitive) or uuid, or None."""
    key = name.strip().casefold()
    for cat in list_categories(db):
        if cat.name.casefold() == key or cat.uuid == name:
            return cat
    return None


def activate(db) -> dict[str, str]:
    """Classify by `db`'s custom categories from now on; returns extension -> custom name."""
    mapping = custom_map(list_categories(db))
    core_categories.use_custom(mapping)
    return mapping


def reclassify(conn, before: dict[str, str]) -> int:
    """Give indexed files the category their extension has now, for every extension whose custom
    category differs from `before` (extension -> custom name, read at the start of the same
    transaction). Returns the number of files changed."""
    after = custom_map(read_custom(conn))
    targets: dict[str, list[str]] = {}
    for ext in before.keys() | after.keys():
        if before.get(ext) != after.get(ext):
            targets.setdefault(after.get(ext) or builtin_category(ext), []).append(ext)
    changed = 0
    for category, exts in targets.items():
        marks = ", ".join("?" * len(exts))
        cur = _exec(conn, f"UPDATE files SET category = ? WHERE ext IN ({marks}) "  # noqa: S608
                          "AND category != ?", (category, *sorted(exts), category))
        changed += max(cur.rowcount, 0)
    return changed


class _Write:
    """One write transaction on a plain connection, holding the write lock from the start so
    the validation reads what the write will change."""

    def __init__(self, db) -> None:
        self.db = db

    def __enter__(self):
        self.conn = self.db.raw()
        self.conn.execute("BEGIN IMMEDIATE")
        self.before = custom_map(read_custom(self.conn))
        self.files = 0
        return self

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self.conn.commit()
            else:
                self.conn.rollback()
        finally:
            self.conn.close()
        if kind is None:
            activate(self.db)


def _find(cats: Iterable[CustomCategory], name: str) -> CustomCategory:
    key = name.strip().casefold()
    for cat in cats:
        if cat.name.casefold() == key or cat.uuid == name:
            return cat
    if key in core_categories.CATEGORIES:
        raise CategoryError("name", f"'{name.strip()}' is a built-in category; only custom ones "
                                    "can be changed.")
    raise CategoryError("name", f"There is no custom category named '{name.strip()}'.")


def free_name(conn, name: str, keep_uuid: str) -> None:
    """A deleted category keeps its row (for sync) but not its name: rename the tombstone."""
    for uid, in _exec(conn, "SELECT uuid FROM categories WHERE deleted = 1 AND name = ? AND uuid != ?",
                      (name, keep_uuid)).fetchall():
        _exec(conn, "UPDATE categories SET name = ? WHERE uuid = ?", (f"{name} (deleted {uid})", uid))


def add(db, name: str, extensions: Iterable[str]) -> Change:
    """Create a custom category; returns it normalized. Raises CategoryError with a message for
    the user. Reuses the row of a deleted category of the same name (one identity for sync)."""
    with _Write(db) as w:
        cat = validate(name, extensions, read_custom(w.conn))
        now = time.time()
        row = _exec(w.conn, "SELECT uuid FROM categories WHERE deleted = 1 AND name = ? COLLATE NOCASE "
                            "ORDER BY updated_at DESC LIMIT 1", (cat.name,)).fetchone()
        exts = json.dumps(list(cat.extensions))
        if row is not None:
            uid = row[0]
            free_name(w.conn, cat.name, uid)
            _exec(w.conn, "UPDATE categories SET name = ?, extensions = ?, version = version + 1, "
                          "updated_at = ?, deleted = 0 WHERE uuid = ?", (cat.name, exts, now, uid))
        else:
            import uuid  # here, not at import: every scan imports this module

            uid = str(uuid.uuid4())
            free_name(w.conn, cat.name, uid)
            _exec(w.conn, "INSERT INTO categories(uuid, name, extensions, version, updated_at, deleted) "
                          "VALUES (?, ?, ?, 1, ?, 0)", (uid, cat.name, exts, now))
        w.files = reclassify(w.conn, w.before)
        category_changed(w.conn, uid)
    return Change(CustomCategory(cat.name, cat.extensions, uid), w.files)


def edit(db, name: str, extensions: Iterable[str] | None = None,
         new_name: str | None = None) -> Change:
    """Change a custom category's extensions and/or name; returns it normalized.
    Raises CategoryError (unknown category, invalid name or extensions)."""
    with _Write(db) as w:
        current = read_custom(w.conn)
        old = _find(current, name)
        others = [c for c in current if c.uuid != old.uuid]
        cat = validate(old.name if new_name is None else new_name,
                       old.extensions if extensions is None else extensions, others, old.uuid)
        free_name(w.conn, cat.name, old.uuid)
        _exec(w.conn, "UPDATE categories SET name = ?, extensions = ?, version = version + 1, "
                      "updated_at = ? WHERE uuid = ?",
              (cat.name, json.dumps(list(cat.extensions)), time.time(), old.uuid))
        w.files = reclassify(w.conn, w.before)
        category_changed(w.conn, old.uuid)
        if cat.name != old.name:
            _rename_in_rules(w.conn, old.name, cat.name)
    return Change(cat, w.files)


def _rename_in_rules(conn, old: str, new: str) -> int:
    """Rules whose category condition names `old` name `new` instead (a new rule version, queued
    for sync like any rule change). Returns how many rules changed."""
    key, changed = old.casefold(), 0
    for uid, body in _exec(conn, "SELECT uuid, body FROM rules WHERE deleted = 0 AND body LIKE ?",
                           ("%category%",)).fetchall():
        rule = json.loads(body)
        hit = False
        for cond in rule.get("conditions", []):
            if cond.get("type") == "category":
                names = [new if isinstance(c, str) and c.casefold() == key else c
                         for c in cond.get("categories", [])]
                hit = hit or names != cond.get("categories")
                cond["categories"] = names
        if hit:
            _exec(conn, "UPDATE rules SET body = ?, version = version + 1, updated_at = ? WHERE uuid = ?",
                  (json.dumps(rule, ensure_ascii=False), time.time(), uid))
            rule_changed(conn, uid)
            changed += 1
    return changed


def delete(db, name: str) -> Change:
    """Delete a custom category (kept as a tombstone for sync); its extensions get their
    built-in categories back. Returns what was deleted; raises CategoryError if unknown."""
    with _Write(db) as w:
        old = _find(read_custom(w.conn), name)
        _exec(w.conn, "UPDATE categories SET deleted = 1, version = version + 1, updated_at = ? "
                      "WHERE uuid = ?", (time.time(), old.uuid))
        w.files = reclassify(w.conn, w.before)
        category_changed(w.conn, old.uuid)
    return Change(old, w.files)
