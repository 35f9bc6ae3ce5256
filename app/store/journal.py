"""The journal store: history entries and their operations (tables history and journal).

Implements ``core.ops.execute.Journal``. ``record`` writes a whole run in one transaction
before any file is touched; ``mark`` updates a batch of states in one transaction.
While a run is in flight its process holds an exclusive lock on a small lock file
(data folder/locks/<uuid>.lock); the kernel releases it when the process dies, which
is how ``unfinished()`` tells a crashed run from one still running in another process.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.core.ops.journal_record import DONE, FAILED, PLANNED, SKIPPED, UNDONE, JournalRecord
from app.core.ops.plan import FileState, Operation, OpKind
from app.platform.filelock import try_lock as _try_lock
from app.store.codec import from_db, to_db
from app.store.db import Database
from app.store.outbox import history_finished


@dataclass(slots=True)
class HistoryEntry:
    """One run as listed in the history."""

    id: int
    uuid: str
    started_at: float
    finished_at: float | None
    source: str
    title: str
    status: str
    undo_of: int | None
    op_count: int
    done_count: int
    failed_count: int
    skipped_count: int
    bytes: int
    undone_count: int = 0


class RunLock:
    """An exclusive lock on a run's lock file, held while the run is in flight."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if _try_lock(fd):
            self.fd = fd
            return True
        os.close(fd)
        return False

    def release(self, remove: bool = True) -> None:
        if self.fd is None:
            return
        if remove:
            try:
                self.path.unlink()
            except OSError:
                pass
        os.close(self.fd)
        self.fd = None


# ensure_ascii escapes lone surrogates (undecodable names) as \udcXX: lossless, valid UTF-8.
# One encoder for all records: json.dumps with arguments builds a new one per call.
_EXTRA_ENCODER = json.JSONEncoder(ensure_ascii=True, default=str)


def _enc_extra(extra: dict) -> str | None:
    return _EXTRA_ENCODER.encode(extra) if extra else None


def _safe_text(text: str | None) -> str | None:
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if text else text


_COLUMNS = "seq, kind, src, dst, tmp, keep, keep_hash, expect, state, error, extra, size"
_HISTORY_COLUMNS = ("id, uuid, started_at, finished_at, source, title, status, undo_of, op_count, "
                    "done_count, failed_count, skipped_count, bytes")


class JournalStore:
    """History and journal over the app database."""

    def __init__(self, db: Database, lock_dir: Path | None = None) -> None:
        self.db = db
        self.lock_dir = lock_dir or paths.data_dir() / "locks"
        self._locks: dict[int, RunLock] = {}

    # --- core.ops.execute.Journal -------------------------------------------------------------
    def begin(self, run_id: str, source: str, title: str, undo_of: int | None = None) -> int:
        lock = RunLock(self.lock_dir / f"{run_id}.lock")
        lock.acquire()
        conn = self.db.raw()
        try:
            cur = conn.execute(
                "INSERT INTO history(uuid, started_at, source, title, status, undo_of, op_count, "
                "done_count, failed_count, skipped_count, bytes) VALUES (?,?,?,?,?,?,0,0,0,0,0)",
                (run_id, time.time(), source, title or "", "running", undo_of))
            entry = int(cur.lastrowid)
            conn.commit()
        finally:
            conn.close()
        self._locks[entry] = lock
        return entry

    def record(self, entry_id: int, records: list[JournalRecord]) -> None:
        rows = []
        total = 0
        for r in records:
            op = r.op
            size = op.expect.size if op.expect else 0
            total += size
            expect = None
            if op.expect:
                e = op.expect
                expect = f'{{"size":{e.size},"mtime_ns":{e.mtime_ns},"inode":{e.inode},"dev":{e.dev}}}'
            rows.append((entry_id, r.seq, op.kind.value, to_db(op.src), _opt(op.dst), _opt(r.tmp),
                         _opt(op.keep), op.keep_hash, expect, r.state, _safe_text(r.error),
                         _enc_extra(r.extra), size))
        conn = self.db.raw()
        try:
            conn.executemany(
                f"INSERT INTO journal(history_id, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                rows)
            conn.execute("UPDATE history SET op_count=?, bytes=? WHERE id=?", (len(records), total, entry_id))
            conn.commit()
        finally:
            conn.close()

    def mark(self, entry_id: int, records: list[JournalRecord]) -> None:
        if not records:
            return
        conn = self.db.raw()
        try:
            conn.executemany(
                "UPDATE journal SET state=?, error=?, extra=? WHERE history_id=? AND seq=?",
                [(r.state, _safe_text(r.error), _enc_extra(r.extra), entry_id, r.seq) for r in records])
            conn.commit()
        finally:
            conn.close()

    def finish(self, entry_id: int) -> None:
        conn = self.db.raw()
        try:
            counts = dict(conn.execute("SELECT state, count(*) FROM journal WHERE history_id=? "
                                       "GROUP BY state", (entry_id,)).fetchall())
            done_bytes = conn.execute("SELECT coalesce(sum(size),0) FROM journal WHERE history_id=? AND "
                                      "state IN ('done','undone')", (entry_id,)).fetchone()[0]
            done = counts.get(DONE, 0) + counts.get(UNDONE, 0)
            failed, skipped = counts.get(FAILED, 0), counts.get(SKIPPED, 0)
            if not counts:
                status = "failed"       # interrupted before its operations were recorded
            elif not failed and not skipped and not counts.get(PLANNED):
                status = "done"
            else:
                status = "failed" if failed and not done else "partial"
            conn.execute("UPDATE history SET finished_at=?, status=?, done_count=?, failed_count=?, "
                         "skipped_count=?, bytes=? WHERE id=?",
                         (time.time(), status, done, failed, skipped, done_bytes, entry_id))
            undo_of = conn.execute("SELECT undo_of FROM history WHERE id=?", (entry_id,)).fetchone()[0]
            if undo_of is not None:
                self._apply_undo(conn, entry_id, undo_of)
            history_finished(conn, entry_id)
            conn.commit()
        finally:
            conn.close()
        lock = self._locks.pop(entry_id, None)
        if lock:
            lock.release()

    @staticmethod
    def _apply_undo(conn, entry_id: int, original: int) -> None:
        conn.execute(
            "UPDATE journal SET state='undone' WHERE history_id=? AND state='done' AND seq IN "
            "(SELECT json_extract(extra, '$.undoes') FROM journal WHERE history_id=? AND state='done' "
            "AND json_extract(extra, '$.undoes') IS NOT NULL)", (original, entry_id))
        left = conn.execute("SELECT count(*) FROM journal WHERE history_id=? AND state='done'",
                            (original,)).fetchone()[0]
        if left == 0:
            conn.execute("UPDATE history SET status='undone' WHERE id=?", (original,))

    # --- queries --------------------------------------------------------------------------
    def entries(self, limit: int = 50) -> list[HistoryEntry]:
        """Newest first."""
        return self._entries("ORDER BY id DESC LIMIT ?", (limit,))

    def entry(self, entry_id: int) -> HistoryEntry | None:
        found = self._entries("WHERE id=?", (entry_id,))
        return found[0] if found else None

    def last_undoable(self) -> HistoryEntry | None:
        """The newest entry (not itself an undo) that still has done operations."""
        found = self._entries("WHERE h.source != 'undo' AND status IN ('done','partial') AND EXISTS "
                              "(SELECT 1 FROM journal j WHERE j.history_id=h.id AND j.state='done') "
                              "ORDER BY id DESC LIMIT 1", ())
        return found[0] if found else None

    def _entries(self, where: str, params: tuple) -> list[HistoryEntry]:
        conn = self.db.raw()
        try:
            rows = conn.execute(
                f"SELECT {', '.join('h.' + c for c in _HISTORY_COLUMNS.split(', '))}, "  # noqa: S608
                "(SELECT count(*) FROM journal j WHERE j.history_id=h.id AND j.state='undone') "
                f"FROM history h {where}", params).fetchall()
        finally:
            conn.close()
        return [HistoryEntry(*row) for row in rows]

    def records(self, entry_id: int, states: tuple[str, ...] | None = None) -> list[JournalRecord]:
        """The entry's operations in order, optionally only those in `states`."""
        sql = f"SELECT {_COLUMNS} FROM journal WHERE history_id=?"  # noqa: S608 (constant columns)
        params: list = [entry_id]
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params.extend(states)
        conn = self.db.raw()
        try:
            rows = conn.execute(sql + " ORDER BY seq", params).fetchall()
        finally:
            conn.close()
        return [_record(row) for row in rows]

    def running(self) -> list[int]:
        """Ids of entries not finished (crashed, or in flight in some process)."""
        conn = self.db.raw()
        try:
            return [r[0] for r in conn.execute("SELECT id FROM history WHERE status='running' ORDER BY id")]
        finally:
            conn.close()

    def claim_crashed(self, entry_id: int) -> bool:
        """Lock a running entry whose process is gone; False if it is still in flight."""
        entry = self.entry(entry_id)
        if entry is None or entry.status != "running":
            return False
        lock = RunLock(self.lock_dir / f"{entry.uuid}.lock")
        if not lock.acquire():
            return False
        if (e := self.entry(entry_id)) is None or e.status != "running":   # finished meanwhile
            lock.release(remove=False)
            return False
        self._locks[entry_id] = lock
        return True


def _opt(path: str | None):
    return to_db(path) if path is not None else None


def _record(row: tuple) -> JournalRecord:
    seq, kind, src, dst, tmp, keep, keep_hash, expect, state, error, extra, _size = row
    exp = FileState(**json.loads(expect)) if expect else None
    extra_d = json.loads(extra) if extra else {}
    op = Operation(OpKind(kind), from_db(src), from_db(dst) if dst is not None else None, expect=exp,
                   keep=from_db(keep) if keep is not None else None, keep_hash=keep_hash,
                   rule=extra_d.get("rule"), note=extra_d.get("note", ""))
    return JournalRecord(seq, op, from_db(tmp) if tmp is not None else None, state, error, extra_d)
