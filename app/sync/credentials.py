"""Where the refresh token lives: the OS keyring; where no keyring is usable (servers, CI,
minimal desktops), a file in the config folder that only the user can read (0600), as gh,
docker and aws do; or, when the user opts out of storing it, this process's memory.

Tokens never go to the database, settings or logs. ``storage()`` names the place a new token
goes, ``token_file()`` is the file of the fallback.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

import keyring
from keyring.errors import KeyringError

from app import paths

SERVICE = "FileOrganizerPro sync"
FILE_NAME = "sync-credentials.json"
KEYRING, FILE, SESSION = "keyring", "file", "session"
_memory: dict[str, str] = {}
_lock = threading.Lock()


def _user(server: str, email: str, device_id: str) -> str:
    # one entry per app database: two portable installs (or test homes) never share a token
    return f"{email}@{server}#{device_id}"


def keyring_usable() -> bool:
    """True when a keyring backend really stores secrets (not the fail or null backend)."""
    backend = keyring.get_keyring()
    try:
        priority = backend.priority
    except Exception:  # noqa: BLE001 - a backend whose priority check fails is not usable
        priority = 0
    name = type(backend).__module__
    return priority > 0 and not name.startswith(("keyring.backends.fail", "keyring.backends.null"))


def token_file() -> Path:
    """The 0600 file that holds refresh tokens where no keyring is usable."""
    return paths.config_dir() / FILE_NAME


def storage(store: bool = True) -> str:
    """Where a token saved now goes: KEYRING, FILE (no keyring) or SESSION (store=False)."""
    if not store:
        return SESSION
    return KEYRING if keyring_usable() else FILE


def describe(where: str) -> str:
    """One sentence for the user about where the sign-in is kept."""
    if where == FILE:
        return (f"No system keyring is available, so the sign-in is kept in {token_file()}, "
                "a file only you can read.")
    if where == SESSION:
        return "The sign-in is not stored: it ends when this program exits."
    return ""


def keyring_problem() -> str | None:
    """None when a keyring stores tokens; else where they are kept instead (for status pages)."""
    return None if keyring_usable() else describe(FILE)


# --- the file ------------------------------------------------------------------------------
def _read_file() -> dict[str, str]:
    path = token_file()
    try:
        if os.name != "nt" and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)        # copied or restored with wider permissions: tighten
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    tokens = data.get("tokens") if isinstance(data, dict) else None
    return {k: v for k, v in tokens.items() if isinstance(v, str)} if isinstance(tokens, dict) else {}


def _write_file(tokens: dict[str, str]) -> None:
    """Replace the file atomically; the new file is created 0600 before any byte is written."""
    path = token_file()
    if not tokens:
        path.unlink(missing_ok=True)
        return
    fd, tmp = tempfile.mkstemp(prefix=".sync-credentials-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"version": 1, "tokens": tokens}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the store -----------------------------------------------------------------------------
def load(server: str, email: str, device_id: str) -> str | None:
    """The stored refresh token (keyring, then file, then memory), or None."""
    user = _user(server, email, device_id)
    with _lock:
        if keyring_usable():
            try:
                value = keyring.get_password(SERVICE, user)
                if value:
                    return value
            except KeyringError:
                pass
        return _read_file().get(user) or _memory.get(user)


def save(server: str, email: str, device_id: str, token: str, *, store: bool = True) -> str:
    """Store the refresh token; returns where it went (KEYRING, FILE or SESSION)."""
    user = _user(server, email, device_id)
    with _lock:
        where = storage(store)
        if where == KEYRING:
            try:
                keyring.set_password(SERVICE, user, token)
            except KeyringError:
                where = FILE
        tokens = _read_file()
        if where == FILE:
            tokens[user] = token
            _write_file(tokens)
        elif user in tokens:
            del tokens[user]
            _write_file(tokens)
        if where == SESSION:
            _memory[user] = token
        else:
            _memory.pop(user, None)
        return where


def persistent(server: str, email: str, device_id: str) -> bool:
    """True when the token outlives this process (keyring or file)."""
    user = _user(server, email, device_id)
    with _lock:
        return user not in _memory


def delete(server: str, email: str, device_id: str) -> None:
    """Forget the refresh token everywhere (keyring, file, memory)."""
    user = _user(server, email, device_id)
    with _lock:
        _memory.pop(user, None)
        tokens = _read_file()
        if user in tokens:
            del tokens[user]
            _write_file(tokens)
        if keyring_usable():
            try:
                keyring.delete_password(SERVICE, user)
            except KeyringError:
                pass
