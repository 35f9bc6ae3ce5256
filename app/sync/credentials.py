"""Where the refresh token lives: the OS keyring, or (without one) this process's memory.

Tokens never go to the database, settings or logs. Without a usable keyring backend the
sign-in lasts for the session only, and ``keyring_problem()`` says so.
"""

from __future__ import annotations

import threading

import keyring
from keyring.errors import KeyringError

SERVICE = "FileOrganizerPro sync"
_memory: dict[str, str] = {}
_lock = threading.Lock()


def _user(server: str, email: str, device_id: str) -> str:
    # one entry per app database: two portable installs (or test homes) never share a token
    return f"{email}@{server}#{device_id}"


def keyring_problem() -> str | None:
    """None when a keyring backend stores secrets; else why the sign-in is for this session only."""
    backend = keyring.get_keyring()
    try:
        priority = backend.priority
    except Exception:  # noqa: BLE001 - a backend whose priority check fails is not usable
        priority = 0
    name = type(backend).__module__
    if priority <= 0 or name.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return ("No system keyring is available, so you stay signed in only until the app "
                "closes.")
    return None


def load(server: str, email: str, device_id: str) -> str | None:
    """The stored refresh token, or None."""
    with _lock:
        if keyring_problem() is None:
            try:
                value = keyring.get_password(SERVICE, _user(server, email, device_id))
                if value:
                    return value
            except KeyringError:
                pass
        return _memory.get(_user(server, email, device_id))


def save(server: str, email: str, device_id: str, token: str) -> bool:
    """Store the refresh token; False when it is kept in memory only (no keyring)."""
    with _lock:
        if keyring_problem() is None:
            try:
                keyring.set_password(SERVICE, _user(server, email, device_id), token)
                _memory.pop(_user(server, email, device_id), None)
                return True
            except KeyringError:
                pass
        _memory[_user(server, email, device_id)] = token
        return False


def delete(server: str, email: str, device_id: str) -> None:
    """Forget the refresh token everywhere."""
    with _lock:
        _memory.pop(_user(server, email, device_id), None)
        if keyring_problem() is None:
            try:
                keyring.delete_password(SERVICE, _user(server, email, device_id))
            except KeyringError:
                pass
