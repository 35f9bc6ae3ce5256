"""Changes the server refused (invalid data, e.g. a rule name over 200 characters).

A refused change leaves the outbox (it would block the queue) but is never dropped silently: it
is kept here, in the setting ``sync.refused``, with the server's reason, until the user fixes
it (editing the rule queues it again; a successful push clears the entry), sends it again as it
is (``retry``) or discards it. While any is kept, a sync run does not count as a success, so
``sync`` exits 1 and the Account page lists them.
"""

from __future__ import annotations

import time

from app.store import outbox

KEY = "sync.refused"
LABELS = {"rule": "Rule", "category": "Category", "operation": "History entry",
          "report": "Report", "scan": "Scan summary"}


def _label(db, item: outbox.Item) -> str:
    """What the change is about, in the user's words (the rule's name, the report's title)."""
    kind, payload = item.kind, item.payload
    name = ""
    if kind in ("rule", "category") and payload.get("uuid"):
        table = "rules" if kind == "rule" else "categories"
        with db.engine.connect() as conn:
            row = conn.exec_driver_sql(f"SELECT name FROM {table} WHERE uuid = ?",  # noqa: S608
                                       (payload["uuid"],)).first()
        name = row[0] if row else ""
    else:
        name = str(payload.get("title") or payload.get("message") or "")
    name = name if len(name) <= 60 else name[:57] + "..."
    return f"{LABELS.get(kind, kind)} '{name}'" if name else LABELS.get(kind, kind)


def entries(db) -> list[dict]:
    """The refused changes, oldest first: id, kind, label, reason, at (no payload)."""
    return [{k: e[k] for k in ("id", "kind", "label", "reason", "at")} for e in _load(db)]


def _load(db) -> list[dict]:
    value = db.get_setting(KEY) or []
    return [e for e in value if isinstance(e, dict) and "id" in e]


def add(db, item: outbox.Item, reason: str) -> None:
    """Keep a refused item (an earlier refusal of the same object is replaced)."""
    target = item.payload.get("uuid") or item.payload.get("id")
    kept = [e for e in _load(db) if not (e["kind"] == item.kind and e.get("target") == target)]
    kept.append({"id": item.id, "kind": item.kind, "target": target, "payload": item.payload,
                 "label": _label(db, item), "reason": reason.removeprefix("Invalid request: ")[:500],
                 "at": time.time()})
    db.set_setting(KEY, kept)


def accepted(db, item: outbox.Item) -> None:
    """The server took a change: an earlier refusal of the same object is resolved."""
    kept = _load(db)
    if not kept:
        return
    target = item.payload.get("uuid") or item.payload.get("id")
    left = [e for e in kept if not (e["kind"] == item.kind and e.get("target") == target)]
    if len(left) != len(kept):
        db.set_setting(KEY, left)


def _take(db, entry_id: int) -> dict | None:
    kept = _load(db)
    found = next((e for e in kept if int(e["id"]) == int(entry_id)), None)
    if found is not None:
        db.set_setting(KEY, [e for e in kept if e is not found])
    return found


def discard(db, entry_id: int) -> bool:
    """Forget a refused change (the local data stays as it is); False if there is no such id."""
    return _take(db, entry_id) is not None


def retry(db, entry_id: int) -> bool:
    """Queue a refused change again (after fixing what the reason said)."""
    found = _take(db, entry_id)
    if found is None:
        return False
    with db.engine.begin() as conn:
        outbox.enqueue(conn, found["kind"], found["payload"])
    return True


def clear(db) -> None:
    db.set_setting(KEY, [])


def describe(entry: dict) -> str:
    """One line: '#12 Rule 'Photos': name is too long (at most 200 characters)'."""
    return f"#{entry['id']} {entry['label']}: {entry['reason']}"
