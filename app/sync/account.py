"""The signed-in account: who and where (database setting ``sync.account``, no secrets),
and the tokens (refresh token through ``credentials``, access token in this process only).

A revoked or reused refresh token signs the user out locally with a clear message; waiting
changes stay queued for the next sign-in. Signing out never loses waiting changes: they go out
after the next sign-in of the same account. A sign-out that cannot reach the server keeps the
refresh token (where it was stored) on a list of sign-ins to revoke, and revokes them the next
time the server answers (``retry_revocations``).
"""

from __future__ import annotations

import os
import platform
import socket
import threading
import time
import uuid as _uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from app.platform.filelock import lock
from app.store.outbox import ACCOUNT_KEY
from app.sync import credentials, refused
from app.sync.api import ApiClient, ApiError, SyncError, normalize_server

# access tokens by (server, email): shared by every Account object of this process
_access: dict[tuple[str, str, str], tuple[str, float]] = {}
_refresh_lock = threading.Lock()
SIGNED_OUT_CODES = {"token_revoked", "token_reused", "token_expired", "invalid_token"}
clock = time.time   # when cached access tokens expire; tests replace it instead of sleeping
REVOKE_KEY = "sync.revoke_pending"   # [[server, email, device_id], ...]: no secrets


@contextmanager
def _across_processes(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (the app and the CLI of one database refresh one at a
    time: two refreshes with the same token would look like a stolen token to the server)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        lock(fd)  # on Windows it gives up after 30 s and refreshes anyway, as before
        yield
    finally:
        os.close(fd)  # closing releases the lock


class SignedOut(SyncError):
    """No valid sign-in: the user has to sign in (again)."""


@dataclass
class AccountInfo:
    server: str = ""
    email: str = ""
    device_id: str = ""
    device_name: str = ""
    linked: bool = False        # changes are queued for this account
    signed_in: bool = False     # a refresh token is held (keyring, file or memory)
    message: str = ""           # why the user was signed out, in plain words
    store: bool = True          # keep the sign-in across runs (False: `login --no-store`)
    storage: str = ""           # where the refresh token is: keyring, file or session


@dataclass
class SignOutResult:
    server: str = ""
    revoked: bool = True        # the server ended the sign-in (or it had ended already)
    pending: bool = False       # not reachable: revoked the next time the server answers
    waiting: int = 0            # changes kept for the next sign-in of this account


def default_device_name() -> str:
    return socket.gethostname() or platform.node() or "This computer"


def load_info(db) -> AccountInfo:
    data = db.get_setting(ACCOUNT_KEY) or {}
    known = {k: v for k, v in data.items() if k in AccountInfo.__dataclass_fields__}
    return AccountInfo(**known)


def save_info(db, info: AccountInfo) -> None:
    db.set_setting(ACCOUNT_KEY, asdict(info))


def set_store(db, store: bool) -> None:
    """The setting behind "Keep me signed in": False keeps the next sign-ins in memory only."""
    info = load_info(db)
    info.store = store
    save_info(db, info)


class Account:
    """Sign up, sign in, sign out and authorized calls for one app database."""

    def __init__(self, db, client: ApiClient | None = None) -> None:
        self.db = db
        self.info = load_info(db)
        self._client = client

    @property
    def client(self) -> ApiClient:
        if self._client is None or self._client.server != self.info.server:
            self._client = ApiClient(self.info.server)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # --- signing in and out ---------------------------------------------------------------
    def sign_in(self, server: str, email: str, password: str, *, register: bool = False,
                device_name: str | None = None, store: bool | None = None) -> AccountInfo:
        """Sign in (or create the account) and register this device on first sign-in.
        `store=False` keeps the sign-in in this process only (None: as last time)."""
        server = normalize_server(server)
        email = email.strip().lower()
        client = ApiClient(server)
        path = "/auth/register" if register else "/auth/login"
        pair = client.call("POST", path, json={"email": email, "password": password})
        self.retry_revocations()        # the server answers: end sign-ins left from offline
        same_account = self.info.server == server and self.info.email == email
        if self._client is not None:
            self._client.close()
        self._client = client
        if not same_account and self.info.server:
            self._drop_waiting()        # another account's changes never go to this one
        info = self.info if same_account else AccountInfo(store=self.info.store)
        info.server, info.email = server, email
        info.device_name = device_name or info.device_name or default_device_name()
        info.signed_in, info.message = True, ""
        if store is not None:
            info.store = store
        if not info.device_id:
            info.device_id = str(_uuid.uuid4())
        self.info = info
        self._keep_pair(pair)
        self.call("POST", "/devices", json={"id": info.device_id, "name": info.device_name,
                                            "platform": platform.system()[:50]})
        first_link = not info.linked
        info.linked = True
        save_info(self.db, info)
        if first_link or not same_account:
            from app.sync.rules_sync import queue_all_rules, reset_state

            reset_state(self.db)
            queue_all_rules(self.db)
        return info

    def sign_out(self) -> SignOutResult:
        """End the sign-in on the server and here; waiting changes stay for the next sign-in
        of this account. Offline, the sign-in is revoked the next time the server answers
        when its token is stored (keyring or file); else the result says it stays valid."""
        info = self.info
        result = SignOutResult(server=info.server)
        self.retry_revocations()
        token = credentials.load(*self._key()) if info.server else None
        if token:
            try:
                self.client.call("POST", "/auth/logout", json={"refresh_token": token})
            except ApiError:
                pass                    # the server no longer accepts it: nothing to end
            except SyncError:
                result.revoked = False
        if result.revoked or not credentials.persistent(*self._key()):
            self._forget_tokens()
        else:
            _access.pop(self._key(), None)
            self._add_revocation(self._key())
            result.pending = True
        info.signed_in, info.linked, info.message = False, False, ""
        save_info(self.db, info)
        with self.db.engine.connect() as conn:
            result.waiting = conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar() or 0
        return result

    def _drop_waiting(self) -> None:
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM outbox")
        refused.clear(self.db)

    # --- sign-ins to revoke once the server answers ------------------------------------------
    def pending_revocations(self) -> list[list[str]]:
        return [list(k) for k in (self.db.get_setting(REVOKE_KEY) or []) if len(k) == 3]

    def _add_revocation(self, key: tuple[str, str, str]) -> None:
        keys = [k for k in self.pending_revocations() if tuple(k) != key]
        self.db.set_setting(REVOKE_KEY, [*keys, list(key)])

    def retry_revocations(self) -> int:
        """Revoke the sign-ins that an offline sign-out left; returns how many still wait."""
        keys = self.pending_revocations()
        if not keys:
            return 0
        left = []
        for key in keys:
            if tuple(key) == self._key() and self.info.signed_in:
                continue                # signed in again meanwhile: that token is the new one
            token = credentials.load(*key)
            if token:
                client = ApiClient(key[0])
                try:
                    client.call("POST", "/auth/logout", json={"refresh_token": token})
                except ApiError:
                    pass                # expired or revoked already
                except SyncError:
                    left.append(key)
                    continue
                finally:
                    client.close()
            credentials.delete(*key)
        self.db.set_setting(REVOKE_KEY, left)
        return len(left)

    def signed_out_by_server(self, message: str) -> None:
        """The server refused the refresh token: sign out here, keep waiting changes."""
        self._forget_tokens()
        self.info.signed_in = False
        self.info.message = f"You were signed out: {message}"
        save_info(self.db, self.info)

    def _forget_tokens(self) -> None:
        if self.info.server:
            credentials.delete(*self._key())
            _access.pop(self._key(), None)

    def _key(self) -> tuple[str, str, str]:
        return (self.info.server, self.info.email, self.info.device_id)

    def _keep_pair(self, pair: dict) -> None:
        self.info.storage = credentials.save(*self._key(), pair["refresh_token"],
                                             store=self.info.store)
        lifetime = float(pair.get("expires_in") or 3600)
        _access[self._key()] = (pair["access_token"], clock() + lifetime * 0.9)

    # --- tokens -----------------------------------------------------------------------------
    def access_token(self, force_refresh: bool = False) -> str:
        """A valid access token, refreshing it (rotation) when it expired or is about to."""
        info = self.info
        if not info.signed_in or not info.server:
            raise SignedOut(info.message or "Not signed in.")
        key = self._key()
        with _refresh_lock, _across_processes(Path(self.db.path).with_name("sync-refresh.lock")):
            cached = _access.get(key)
            if cached and not force_refresh and cached[1] > clock():
                return cached[0]
            refresh = credentials.load(*key)
            if not refresh:
                self.info.signed_in = False
                self.info.message = ("The sign-in was not stored (login --no-store): sign in "
                                     "again." if self.info.storage == credentials.SESSION else
                                     "The saved sign-in is missing: sign in again.")
                save_info(self.db, self.info)
                raise SignedOut(self.info.message)
            try:
                pair = self.client.call("POST", "/auth/refresh", json={"refresh_token": refresh})
            except ApiError as exc:
                if exc.status == 401 or exc.code in SIGNED_OUT_CODES:
                    self.signed_out_by_server(exc.message)
                    raise SignedOut(self.info.message) from None
                raise
            self._keep_pair(pair)
            return pair["access_token"]

    def call(self, method: str, path: str, **kwargs):
        """An authorized call; an expired access token is refreshed once, transparently."""
        try:
            return self.client.call(method, path, token=self.access_token(), **kwargs)
        except ApiError as exc:
            if exc.status != 401:
                raise
        return self.client.call(method, path, token=self.access_token(force_refresh=True), **kwargs)

    # --- account actions ------------------------------------------------------------------------
    def change_password(self, current: str, new: str) -> int:
        """Change the password; the server ends every other sign-in. Returns how many ended."""
        answer = self.call("POST", "/auth/password",
                           json={"current_password": current, "new_password": new})
        return int(answer.get("revoked_sign_ins", 0))

    def sign_out_everywhere(self) -> int:
        """End every sign-in of the account (all devices, this one too); waiting changes stay."""
        answer = self.call("POST", "/auth/logout-all")
        self._forget_tokens()
        self.info.signed_in, self.info.linked, self.info.message = False, False, ""
        save_info(self.db, self.info)
        return int(answer.get("revoked_sign_ins", 0))

    def delete_account(self, password: str) -> None:
        """Delete the account and everything stored for it on the server; here, forget the
        sign-in and the changes that waited for it (the local rules and history stay)."""
        self.call("DELETE", "/account", json={"password": password})
        from app.sync.rules_sync import reset_state

        self._forget_tokens()
        self._drop_waiting()
        reset_state(self.db)
        self.info = AccountInfo(device_name=self.info.device_name)
        save_info(self.db, self.info)
