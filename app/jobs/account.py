"""The sync account for the command line: signing in and out, the account's own actions, the
changes the server refused, and the errors they raise.

The commands and the window reach the sync client only through jobs (DESIGN.md: cli -> jobs,
gui -> jobs): this module names what `login`, `logout`, `account`, `sync` and the window's
account page use. The client's behaviour stays in
``app.sync``; the sync runs themselves are ``app.jobs.sync``.
"""

from __future__ import annotations

from app.sync import refused
from app.sync.account import Account, SignedOut, set_store
from app.sync.api import ApiError, InsecureServer, SyncError
from app.sync.credentials import describe as describe_storage
from app.sync.refused import describe as describe_refused

__all__ = ["Account", "ApiError", "InsecureServer", "SignedOut", "SyncError", "describe_refused",
           "describe_storage", "discard_all_refused", "discard_refused", "retry_refused", "set_store"]


def discard_refused(db, entry_id: int) -> bool:
    """Forget a change the server refused; False when there is no refused change ``entry_id``."""
    return refused.discard(db, entry_id)


def discard_all_refused(db) -> int:
    """Forget every change the server refused; returns how many there were."""
    return sum(refused.discard(db, entry["id"]) for entry in refused.entries(db))


def retry_refused(db, entry_id: int) -> bool:
    """Queue a refused change again; False when there is no refused change ``entry_id``."""
    return refused.retry(db, entry_id)
