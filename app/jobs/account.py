"""The sync account for the command line: signing in and out, the account's own actions, the
changes the server refused, and the errors they raise.

The commands reach the sync client only through jobs (DESIGN.md: cli -> jobs): this module
names what `login`, `logout`, `account` and `sync` use. The client's behaviour stays in
``app.sync``; the sync runs themselves are ``app.jobs.sync``.
"""

from __future__ import annotations

from app.sync import refused
from app.sync.account import Account, SignedOut
from app.sync.api import ApiError, InsecureServer, SyncError
from app.sync.credentials import describe as describe_storage
from app.sync.refused import describe as describe_refused

__all__ = ["Account", "ApiError", "InsecureServer", "SignedOut", "SyncError", "describe_refused",
           "describe_storage", "discard_refused", "retry_refused"]


def discard_refused(db, entry_id: int) -> bool:
    """Forget a change the server refused; False when there is no refused change ``entry_id``."""
    return refused.discard(db, entry_id)


def retry_refused(db, entry_id: int) -> bool:
    """Queue a refused change again; False when there is no refused change ``entry_id``."""
    return refused.retry(db, entry_id)
