"""Sync use cases for the CLI and the window: sign in/out, a sync run, the status, and the
scan summary that goes up with a run when the index changed since the last one."""

from __future__ import annotations

import hashlib
import json
import time
import uuid as _uuid
from collections.abc import Callable
from typing import TypeVar

from app.core.progress import Progress
from app.store import aggregates, outbox
from app.store.db import Database
from app.sync.account import Account, AccountInfo, default_device_name
from app.sync.engine import SyncResult, run_sync, status_dict

SUMMARY_KEY = "sync.summary_digest"
T = TypeVar("T")
__all__ = ["change_password", "default_device_name", "delete_account", "sign_in", "sign_out",
           "sign_out_everywhere", "status", "sync"]


def _with_account(db: Database, stage: str, progress: Progress | None, action: Callable[[Account], T]) -> T:
    """``action(account)`` on this database's sync account, closed afterwards."""
    if progress:
        progress.stage(stage)
    account = Account(db)
    try:
        return action(account)
    finally:
        account.close()


def sign_in(db: Database, server: str, email: str, password: str, *, register: bool = False,
            device_name: str | None = None, progress: Progress | None = None) -> AccountInfo:
    """Sign in (or sign up) and link this device; its rules are queued for the first sync."""
    return _with_account(db, "sign-in", progress, lambda account: account.sign_in(
        server, email, password, register=register, device_name=device_name))


def sign_out(db: Database, progress: Progress | None = None) -> None:
    """Revoke the sign-in on the server and forget the tokens and the waiting changes."""
    _with_account(db, "sign-out", progress, Account.sign_out)


def change_password(db: Database, current: str, new: str, progress: Progress | None = None) -> int:
    """Change the account's password; the server ends every other sign-in (returns how many)."""
    return _with_account(db, "password", progress, lambda account: account.change_password(current, new))


def sign_out_everywhere(db: Database, progress: Progress | None = None) -> int:
    """End every sign-in of the account, this one too (returns how many); waiting changes stay."""
    return _with_account(db, "sign-out", progress, Account.sign_out_everywhere)


def delete_account(db: Database, password: str, progress: Progress | None = None) -> str:
    """Delete the account and its data on the server; here only the sign-in and the changes
    waiting for it go (files, rules and history stay). Returns the email it had."""

    def delete(account: Account) -> str:
        email = account.info.email
        account.delete_account(password)
        return email

    return _with_account(db, "delete", progress, delete)


def scan_summary(db: Database) -> dict | None:
    """Totals of the index by category, extension and age (None when nothing is indexed)."""
    roots = aggregates.root_paths(db)
    if not roots:
        return None
    total = aggregates.totals(db)

    def cells(shares) -> dict:
        return {(s.key or "(none)")[:50]: {"files": s.files, "bytes": s.bytes} for s in shares}

    return {"roots": [r[:4096] for r in roots[:100]], "total_files": total.files,
            "total_bytes": total.bytes,
            "by_category": cells(aggregates.by_category(db)),
            "by_extension": dict(list(cells(aggregates.by_extension(db).items).items())[:5000]),
            "by_age": cells(aggregates.by_age(db))}


def queue_scan_summary(db: Database) -> bool:
    """Queue the index summary (with the duplicate totals as a report) if it changed."""
    summary = scan_summary(db)
    if summary is None:
        return False
    digest = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
    if db.get_setting(SUMMARY_KEY) == digest:
        return False
    dupes = aggregates.duplicate_summary(db)
    with db.engine.begin() as conn:
        if not outbox.linked(conn):
            return False
        outbox.enqueue(conn, "scan", {"id": str(_uuid.uuid4()), **summary})
        outbox.enqueue(conn, "report", {
            "id": str(_uuid.uuid4()), "title": f"Duplicates {time.strftime('%Y-%m-%d %H:%M')}",
            "summary": {"groups": dupes.groups, "duplicate_files": dupes.duplicate_files,
                        "reclaimable_bytes": dupes.reclaimable_bytes}})
    db.set_setting(SUMMARY_KEY, digest)
    return True


def sync(db: Database, progress: Progress | None = None, *, manual: bool = True,
         account: Account | None = None) -> SyncResult:
    """One sync run: push what waits (in order), pull rule changes. Never raises for network
    or server trouble: the result says what happened and what still waits."""
    progress = progress or Progress()
    progress.stage("sync", total=outbox.count(db) or None)
    if Account(db).info.signed_in:
        queue_scan_summary(db)

    def check() -> None:
        progress.check()
        progress.advance(1)

    return run_sync(db, account, manual=manual, check=check)


def status(db: Database) -> dict:
    """Account, waiting changes, last sync time and last error (no secrets)."""
    return status_dict(db)


def _cell(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:2000]


def queue_report_upload(db: Database, roots: list[str] | None = None,
                        progress: Progress | None = None) -> str | None:
    """Queue the current report (totals, categories, extensions, largest files and folders,
    duplicate groups) for upload at the next sync; returns its id, None when not signed in."""
    from app.jobs.report import collect_report

    report = collect_report(db, roots, progress=progress)
    t, d = report.totals, report.duplicates
    summary = {"files": t.files, "folders": t.folders, "bytes": t.bytes,
               "duplicate_groups": d.groups, "duplicate_files": d.duplicate_files,
               "reclaimable_bytes": d.reclaimable_bytes, "roots": _cell("; ".join(report.roots))}
    tables = [
        {"name": "By category", "columns": ["category", "files", "bytes"],
         "rows": [[s.key, s.files, s.bytes] for s in report.by_category]},
        {"name": "By extension", "columns": ["extension", "files", "bytes"],
         "rows": [[s.key or "(none)", s.files, s.bytes] for s in report.by_extension.items]},
        {"name": "Largest files", "columns": ["path", "bytes", "category"],
         "rows": [[_cell(f.path), f.size, f.category] for f in report.largest_files.items]},
        {"name": "Largest folders", "columns": ["path", "bytes", "files"],
         "rows": [[_cell(f.path), f.bytes, f.files] for f in report.largest_folders.items]},
        {"name": "Duplicate groups", "columns": ["size", "copies", "first path"],
         "rows": [[g.size, g.copies, _cell(g.paths[0]) if g.paths else ""]
                  for g in report.duplicate_groups.items]},
    ]
    report_id = str(_uuid.uuid4())
    with db.engine.begin() as conn:
        if not outbox.linked(conn):
            return None
        outbox.enqueue(conn, "report", {"id": report_id, "title": time.strftime(
            "Report %Y-%m-%d %H:%M"), "summary": summary, "tables": tables})
    return report_id
