"""How a scan's new file rows get into the index (the ``NewRows`` part of ``IndexWriter``).

Rows go in with ``executemany`` binding only what varies; big batches go in without the
per-row unsign trigger. A first duplicate search also hands the writer a ``HashSource``:
files sharing their size with another are inserted with the hashes a helper process found
while the walk ran, the rest as they arrive (see ``NewRows._insert_with_hashes``).
"""

# SQL here is built only from fixed fragments, ints and "?" placeholders; values are bound.
# ruff: noqa: S608

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Protocol

from app.store.codec import to_db

_INSERT_FILE = ("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, "
                "is_link, scan_gen) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_HASHED = ("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, "
                  "is_link, scan_gen, partial_hash, full_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_TRIGGER = "files_insert_unsign"    # see schema: a row change outside a scan unsigns its folder
_BULK_ROWS = 2000                          # from this many new rows in a batch, insert without that trigger
_REBUILT_INDEXES = ("ix_files_full_hash", "ix_files_size")     # see _drop_indexes_of_empty_files


class HashSource(Protocol):
    """Hashes of a scan's new files, computed elsewhere while the walk ran (see ``IndexWriter.flush``).

    Rows are ``(partial, full or None, category or None, path, seq, ...)``: seq numbers the
    files in the order the scan listed them (``add_dir`` with a blob), from 0.
    """

    def walk_over(self) -> None:
        """Nothing more will be listed."""

    def known(self) -> list[tuple]:
        """The rows hashed so far (waits until the hashing has caught up with the walk)."""

    def later(self, on_rows: Callable[[list[tuple]], None]) -> None:
        """Pass the rows hashed since ``known`` to `on_rows` as they come (they supersede
        earlier ones); returns when the hashing is done."""


class NewRows:
    """Inserting new file rows: a mix-in of ``IndexWriter`` (whose state it uses)."""

    conn: sqlite3.Connection
    gen: int
    _inserts: list[tuple]
    _listed: int
    _in_order: bool
    _dirs: dict[Any, int]
    _seen_dirs: list[tuple]
    _signed_new: list[tuple]
    _commit: Callable[[], None]

    def _insert_with_hashes(self, cur: sqlite3.Cursor, source: HashSource) -> None:
        source.walk_over()
        inserts = self._inserts
        counts = Counter([r[2] for r in inserts if not r[9]])
        once = {size for size, n in counts.items() if n == 1}
        once.add(0)
        # files of a size no other file has (or empty, or links) are never hashed: written first
        shared = [i for i, r in enumerate(inserts) if not r[9] and r[2] not in once]
        taken = set(shared)
        rebuild = self._drop_indexes_of_empty_files(cur)
        self._insert(cur, [r for i, r in enumerate(inserts) if i not in taken], _INSERT_FILE)
        unhashed = dict.fromkeys(shared)            # index in _inserts -> None (an ordered set)
        by_path: list[tuple] = []
        self._write_hashed(cur, source.known(), unhashed, by_path)
        for sql in rebuild:
            cur.execute(sql)
        self._commit()                              # the bulk of the writing, while the helper finishes
        source.later(lambda rows: self._write_hashed(cur, rows, unhashed, by_path))
        self._insert(cur, [(*inserts[i], None, None) for i in unhashed], _INSERT_HASHED, bulk=True)
        updates = []
        for partial, full, cat, path, *_ in by_path:     # files an earlier batch wrote
            d, _, name = path.rpartition(os.sep)
            did = self._dirs.get(to_db(d or os.sep))
            if did is not None:
                updates.append((partial, full, cat, did, to_db(name)))
        self._update_hashes(cur, updates)

    def _drop_indexes_of_empty_files(self, cur: sqlite3.Cursor) -> list[str]:
        """In a database with no file row yet, drop the indexes that cost most per inserted row
        (random positions: ~2 us a row for the hash index) and return their DDL: building them
        afterwards, from sorted keys, is several times cheaper. Called inside the transaction
        that rebuilds them, so no commit ever sees the table without them."""
        if cur.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None:
            return []
        marks = ",".join("?" * len(_REBUILT_INDEXES))
        ddl = [sql for (sql,) in cur.execute(
            f"SELECT sql FROM sqlite_master WHERE type='index' AND name IN ({marks})", _REBUILT_INDEXES)]
        if not self.conn.in_transaction:
            cur.execute("BEGIN IMMEDIATE")          # DDL outside a transaction would commit on its own
        for name in _REBUILT_INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        return ddl

    def _write_hashed(self, cur: sqlite3.Cursor, rows: list[tuple], unhashed: dict[int, None],
                      by_path: list[tuple]) -> None:
        """Write the hashes of held new files: those in `unhashed` inserted with them, the others
        (inserted already) updated; rows of files an earlier batch wrote go to `by_path`."""
        by_row: dict[int, tuple] = {}
        self._place(rows, by_row, by_path)
        inserts, new, updates = self._inserts, [], []
        for i in sorted(by_row):                    # in listing order: the (dir_id, name) index in order
            h = by_row[i]
            r = inserts[i]
            if i in unhashed:
                del unhashed[i]
                new.append((*r[:8], h[2] or r[8], r[9], r[10], h[0], h[1]))
            else:
                updates.append((h[0], h[1], h[2], r[0], r[1]))
        self._insert(cur, new, _INSERT_HASHED, bulk=True)     # batches as the hashes arrive
        self._update_hashes(cur, updates)

    @staticmethod
    def _update_hashes(cur: sqlite3.Cursor, updates: list[tuple]) -> None:
        """Save (partial, full or None to keep, category or None to keep, dir_id, name) rows."""
        if updates:
            updates.sort(key=lambda u: u[3])         # folder by folder: the (dir_id, name) index in order
            cur.executemany("UPDATE files SET partial_hash=?, full_hash=coalesce(?, full_hash), "
                            "category=coalesce(?, category) WHERE dir_id=? AND name=?", updates)

    def _place(self, rows: list[tuple], by_row: dict[int, tuple], by_path: list[tuple]) -> None:
        """Sort hash rows into those of held new files (by their index in ``_inserts``; a later
        row of a file supersedes, keeping the category when it brings none) and the others."""
        base, held = self._listed, len(self._inserts)
        for row in rows:
            i = row[4] - base
            if not self._in_order or not 0 <= i < held:
                by_path.append(row)
                continue
            if row[2] is None and i in by_row:       # a full-hash row after the partial one
                row = (row[0], row[1], by_row[i][2])
            by_row[i] = row

    def _insert(self, cur: sqlite3.Cursor, rows: list[tuple], sql: str, bulk: bool = False) -> None:
        """Insert new file rows; many (or with `bulk`, any) without the per-row unsign trigger
        (dropped and recreated in this transaction): it would null the signature of each row's
        folder, but a folder listed in full gets its new signature in this same flush; only the
        others are unsigned here. With the trigger a row costs ~10 us more (measured).
        """
        if not rows:
            return
        if len(rows) < _BULK_ROWS and not bulk:
            cur.executemany(sql, rows)
            return
        row = cur.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?",
                          (_INSERT_TRIGGER,)).fetchone()
        if row is None:
            self._insert_many(cur, rows, sql)
            return
        if not self.conn.in_transaction:
            cur.execute("BEGIN IMMEDIATE")      # DDL outside a transaction would commit on its own
        cur.execute(f"DROP TRIGGER {_INSERT_TRIGGER}")
        self._insert_many(cur, rows, sql)
        signed = {d[-1] for d in self._seen_dirs} | {d[-1] for d in self._signed_new}
        cur.executemany("UPDATE dirs SET signature=NULL WHERE id=? AND signature IS NOT NULL",
                        [(did,) for did in {r[0] for r in rows} - signed])
        cur.execute(row[0])

    def _insert_many(self, cur: sqlite3.Cursor, rows: list[tuple], sql: str) -> None:
        """executemany of new file rows: the usual ones (device of the first row, one link, not a
        symlink) with those values and the generation written into the statement. Binding costs
        about 0.1 us a value, a quarter of writing such a row (measured)."""
        dev, gen = int(rows[0][5]), int(self.gen)
        if not -2**63 <= dev < 2**63:           # as a literal it would turn into a REAL
            cur.executemany(sql, rows)
            return
        hashed = sql is _INSERT_HASHED
        varying = itemgetter(0, 1, 2, 3, 4, 7, 8, *((11, 12) if hashed else ()))
        usual = [varying(r) for r in rows if r[5] == dev and r[6] == 1 and not r[9]]
        columns, marks = (", partial_hash, full_hash", ",?,?") if hashed else ("", "")
        cur.executemany(f"INSERT INTO files (dir_id, name, size, mtime_ns, inode, ext, category, dev, nlink, "
                        f"is_link, scan_gen{columns}) VALUES (?,?,?,?,?,?,?,{dev},1,0,{gen}{marks})", usual)
        if len(usual) < len(rows):
            cur.executemany(sql, [r for r in rows if not (r[5] == dev and r[6] == 1 and not r[9])])
