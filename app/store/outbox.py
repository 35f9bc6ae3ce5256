"""The outbox: local changes waiting to reach the server, written in the same transaction as
the change itself (the store modules call these functions with their open connection).

Nothing is queued while no account is linked. A rule change replaces the rule's earlier
waiting item (the push sends the rule as it is then), so an often edited rule goes out once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

ACCOUNT_KEY = "sync.account"
HISTORY_STATUS = {"done": "completed", "partial": "completed", "failed": "failed",
                  "undone": "cancelled", "running": "processing"}


def _exec(conn, sql: str, params: tuple = ()):
    """Run SQL on a SQLAlchemy Connection or a DB-API (sqlite3) connection."""
    if hasattr(conn, "exec_driver_sql"):
        return conn.exec_driver_sql(sql, params)
    return conn.execute(sql, params)


def linked(conn) -> bool:
    """True when an account is linked (changes must be queued for it)."""
    row = _exec(conn, "SELECT value FROM settings WHERE key = ?", (ACCOUNT_KEY,)).fetchone()
    return bool(row and json.loads(row[0]).get("linked"))


def enqueue(conn, kind: str, payload: dict, item_uuid: str | None = None) -> str:
    """Queue one item (no check whether an account is linked); returns its uuid."""
    if item_uuid is None:
        import uuid  # here, not at import: every scan imports this module (uuid imports platform)

        item_uuid = str(uuid.uuid4())
    _exec(conn, "INSERT INTO outbox(uuid, kind, payload, created_at, attempts, next_attempt_at) "
                "VALUES (?, ?, ?, ?, 0, 0)",
          (item_uuid, kind, json.dumps(payload, ensure_ascii=True), time.time()))
    return item_uuid


def _queue_latest(conn, kind: str, item_uuid: str) -> None:
    """Queue the object `item_uuid` of `kind` in place of its earlier waiting item: the push
    sends it as it is then, so an often edited object goes out once."""
    if not linked(conn):
        return
    _exec(conn, "DELETE FROM outbox WHERE kind = ? AND json_extract(payload, '$.uuid') = ?",
          (kind, item_uuid))
    enqueue(conn, kind, {"uuid": item_uuid})


def rule_changed(conn, rule_uuid: str) -> None:
    """A rule was created, changed or deleted: queue it (called inside the change's transaction)."""
    _queue_latest(conn, "rule", rule_uuid)


def category_changed(conn, category_uuid: str) -> None:
    """A custom category was created, changed or deleted: queue it (inside the change's transaction)."""
    _queue_latest(conn, "category", category_uuid)


def history_finished(conn, history_id: int) -> None:
    """A history entry finished: queue it as an operation for the server."""
    if not linked(conn):
        return
    row = _exec(conn, "SELECT uuid, source, title, status, started_at, finished_at, op_count, "
                      "done_count, failed_count, skipped_count, bytes, undo_of FROM history "
                      "WHERE id = ?", (history_id,)).fetchone()
    if row is None:
        return
    (h_uuid, source, title, status, started, finished, ops, done, failed, skipped, size,
     undo_of) = row
    summary = {"local_status": status, "started_at": started, "finished_at": finished,
               "operations": ops, "done": done, "failed": failed, "skipped": skipped, "bytes": size,
               "undo_of": undo_of}
    enqueue(conn, "operation", {"id": h_uuid, "kind": source or "organizer",
                                "status": HISTORY_STATUS.get(status, "completed"), "progress": 100,
                                "message": (title or "")[:500], "summary": summary})


@dataclass(slots=True)
class Item:
    id: int
    uuid: str
    kind: str
    payload: dict
    attempts: int


def pending(db, limit: int = 500) -> list[Item]:
    """Waiting items, oldest first."""
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, uuid, kind, payload, attempts FROM outbox "
                                    "ORDER BY id LIMIT ?", (limit,)).fetchall()
    return [Item(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]


def count(db) -> int:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar() or 0


def has_pending_rule(db, rule_uuid: str) -> bool:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT 1 FROM outbox WHERE kind = 'rule' AND json_extract(payload, '$.uuid') = ?",
            (rule_uuid,)).first() is not None


def done(db, item: Item) -> None:
    """The server has the item: remove it."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM outbox WHERE id = ?", (item.id,))


def failed(db, item: Item, error: str, next_attempt_at: float) -> None:
    """Record a failed attempt on the item at the head of the queue."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                             "next_attempt_at = ? WHERE id = ?", (error[:500], next_attempt_at, item.id))
