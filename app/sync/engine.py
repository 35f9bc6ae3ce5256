"""One sync run, its retry schedule and the status line the app shows.

A run: (refresh the access token if needed,) push the outbox in order, then pull rule changes.
When the server cannot be reached, items stay and the next automatic run waits with
exponential backoff and jitter, capped at 15 minutes. A change the server refuses moves to
``app.sync.refused`` with the reason: the run goes on, but does not count as a success.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from app.store import outbox
from app.sync import refused as refusals
from app.sync.account import Account, SignedOut
from app.sync.api import ApiError, Offline, SyncError
from app.sync.categories_sync import CategorySync
from app.sync.rules_sync import RuleSync

STATUS_KEY = "sync.status"
BASE_DELAY = 5.0           # seconds before the first retry
MAX_DELAY = 15 * 60.0      # cap of the backoff
RESOURCE_PATHS = {"operation": "/operations", "report": "/reports", "scan": "/scans"}


def backoff_delay(failures: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after `failures` failed runs in a row: doubling, jittered, capped."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, failures - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


@dataclass
class SyncResult:
    sent: int = 0
    received: int = 0
    conflicts: int = 0
    refused: int = 0
    waiting: int = 0
    ok: bool = False
    skipped: bool = False       # an automatic run before the backoff delay was over
    error: str = ""


def load_status(db) -> dict:
    return dict(db.get_setting(STATUS_KEY) or {})


def _save_status(db, **changes) -> dict:
    status = {**load_status(db), **changes}
    db.set_setting(STATUS_KEY, status)
    return status


def _push(db, account: Account, rules: RuleSync, item: outbox.Item) -> None:
    if item.kind == "rule":
        rules.push(item.payload["uuid"])
        return
    if item.kind == "category":
        CategorySync(db, account).push_one(item.payload["uuid"])
        return
    path = RESOURCE_PATHS.get(item.kind)
    if path is None:
        raise ApiError(400, "unknown_kind", f"unknown outbox item kind {item.kind!r}")
    body = dict(item.payload)
    if account.info.device_id and "device_id" not in body:
        body["device_id"] = account.info.device_id
    account.call("POST", path, json=body)   # the item's client id makes a retry answer 200


def run_sync(db, account: Account | None = None, *, manual: bool = True, check=None) -> SyncResult:
    """Push every waiting change, then pull rules. `check()` is called per item (cancel point)."""
    account = account or Account(db)
    result = SyncResult()
    status = load_status(db)
    if not manual and status.get("next_attempt_at", 0) > time.time():
        result.skipped, result.waiting = True, outbox.count(db)
        return result
    rules = RuleSync(db, account)
    try:
        account.retry_revocations()
        while True:
            items = outbox.pending(db)
            if not items:
                break
            for item in items:
                if check:
                    check()
                try:
                    _push(db, account, rules, item)
                except ApiError as exc:
                    if exc.status == 401:
                        raise SignedOut(exc.message) from None
                    # refused for good (invalid data): keep it aside with the reason, go on
                    refusals.add(db, item, exc.message)
                    outbox.done(db, item)
                    result.refused += 1
                    continue
                refusals.accepted(db, item)
                outbox.done(db, item)
                result.sent += 1
        result.received = rules.pull()
        result.received += CategorySync(db, account).run()
    except SyncError as exc:
        return _failed(db, account, result, exc)
    result.conflicts = rules.copies
    result.waiting = outbox.count(db)
    kept = refusals.entries(db)
    if kept:
        it = "it" if len(kept) == 1 else "them"
        result.error = (f"The server refused {_changes(len(kept))}: see `sync --status`; fix "
                        f"{it} and sync again, or discard {it}.")
    result.ok = result.waiting == 0 and not kept
    _save_status(db, last_sync_at=time.time(), failures=0, next_attempt_at=0, offline=False,
                 last_error=result.error)
    return result


def _failed(db, account: Account, result: SyncResult, exc: Exception) -> SyncResult:
    result.error = str(exc)
    result.waiting = outbox.count(db)
    if isinstance(exc, SignedOut):
        _save_status(db, last_error=result.error, offline=False)
        return result
    failures = int(load_status(db).get("failures", 0)) + 1
    next_at = time.time() + backoff_delay(failures)
    head = outbox.pending(db, limit=1)
    if head:
        outbox.failed(db, head[0], result.error, next_at)
    _save_status(db, failures=failures, next_attempt_at=next_at, offline=isinstance(exc, Offline),
                 last_error=result.error)
    return result


def _changes(n: int) -> str:
    return f"{n:,} change" if n == 1 else f"{n:,} changes"


def status_line(db) -> str:
    """A short status in plain words: signed out, offline with N waiting, synced."""
    info = Account(db).info
    waiting = outbox.count(db)
    status = load_status(db)
    if not info.linked:
        if info.server and waiting:
            return f"Signed out, {_changes(waiting)} waiting for the next sign-in"
        return "Not signed in"
    if not info.signed_in:
        return f"Signed out, {_changes(waiting)} waiting" if waiting else "Signed out"
    if status.get("offline"):
        return f"offline, {_changes(waiting)} waiting"
    if waiting:
        return f"{_changes(waiting)} waiting"
    kept = len(refusals.entries(db))
    if kept:
        return f"{_changes(kept)} refused by the server"
    return "Up to date" if status.get("last_sync_at") else "Not synced yet"


def status_dict(db) -> dict:
    """Everything the Account page and `sync --status` show (no secrets)."""
    account = Account(db)
    info = account.info
    status = load_status(db)
    return {"server": info.server, "email": info.email, "device_name": info.device_name,
            "device_id": info.device_id, "signed_in": info.signed_in, "linked": info.linked,
            "message": info.message, "waiting": outbox.count(db),
            "last_sync_at": status.get("last_sync_at"), "last_error": status.get("last_error", ""),
            "offline": bool(status.get("offline")), "next_attempt_at": status.get("next_attempt_at", 0),
            "status": status_line(db), "storage": info.storage if info.signed_in else "",
            "store": info.store,
            "keyring": _storage_note(info), "refused": refusals.entries(db),
            "revoke_pending": len(account.pending_revocations())}


def _storage_note(info) -> str:
    """Where the sign-in is kept, when that is not the system keyring (else empty)."""
    from app.sync import credentials

    if not info.signed_in or info.storage in ("", credentials.KEYRING):
        return ""
    return credentials.describe(info.storage)
