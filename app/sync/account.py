"""The signed-in account: who and where (database setting ``sync.account``, no secrets),
and the tokens (refresh token through ``credentials``, access token in this process only).

A revoked or reused refresh token signs the user out locally with a clear message; waiting
changes stay queued for the next sign-in.
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
from app.sync import credentials
from app.sync.api import ApiClient, ApiError, SyncError, normalize_server

# access tokens by (server, email): shared by every Account object of this process
_access: dict[tuple[str, str, str], tuple[str, float]] = {}
_refresh_lock = threading.Lock()
SIGNED_OUT_CODES = {"token_revoked", "token_reused", "token_expired", "invalid_token"}


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
    signed_in: bool = False     # a refresh token is held (keyring or memory)
    message: str = ""           # why the user was signed out, in plain words


def default_device_name() -> str:
    return socket.gethostname() or platform.node() or "This computer"


def load_info(db) -> AccountInfo:
    data = db.get_setting(ACCOUNT_KEY) or {}
    known = {k: v for k, v in data.items() if k in AccountInfo.__dataclass_fields__}
    return AccountInfo(**known)


def save_info(db, info: AccountInfo) -> None:
    db.set_setting(ACCOUNT_KEY, asdict(info))


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
                device_name: str | None = None) -> AccountInfo:
        """Sign in (or create the account) and register this device on first sign-in."""
        server = normalize_server(server)
        email = email.strip().lower()
        client = ApiClient(server)
        path = "/auth/register" if register else "/auth/login"
        pair = client.call("POST", path, json={"email": email, "password": password})
        same_account = self.info.server == server and self.info.email == email
        if self._client is not None:
            self._client.close()
        self._client = client
        info = self.info if same_account else AccountInfo()
        info.server, info.email = server, email
        info.device_name = device_name or info.device_name or default_device_name()
        info.signed_in, info.message = True, ""
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

    def sign_out(self) -> None:
        """Revoke the sign-in on the server (best effort) and forget the tokens and the link."""
        info = self.info
        token = credentials.load(*self._key()) if info.server else None
        if token:
            try:
                self.client.call("POST", "/auth/logout", json={"refresh_token": token})
            except SyncError:
                pass  # offline or already revoked: the local sign-out still happens
        self._forget_tokens()
        info.signed_in, info.linked, info.message = False, False, ""
        save_info(self.db, info)
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM outbox")

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
        credentials.save(*self._key(), pair["refresh_token"])
        lifetime = float(pair.get("expires_in") or 3600)
        _access[self._key()] = (pair["access_token"], time.time() + lifetime * 0.9)

    # --- tokens -----------------------------------------------------------------------------
    def access_token(self, force_refresh: bool = False) -> str:
        """A valid access token, refreshing it (rotation) when it expired or is about to."""
        info = self.info
        if not info.signed_in or not info.server:
            raise SignedOut(info.message or "Not signed in.")
        key = self._key()
        with _refresh_lock, _across_processes(Path(self.db.path).with_name("sync-refresh.lock")):
            cached = _access.get(key)
            if cached and not force_refresh and cached[1] > time.time():
                return cached[0]
            refresh = credentials.load(*key)
            if not refresh:
                self.signed_out_by_server(credentials.keyring_problem() or
                                          "the saved sign-in is missing. Sign in again.")
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
