"""Reusable pieces of the sync tests (also used by tests/gui/test_account.py): an in-memory
keyring backend and the real server (tests/server's ServerProcess) on 127.0.0.1."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import keyring
import pytest
from keyring.backend import KeyringBackend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
import server_services  # noqa: E402 - found through the path above
from server_services import ServerProcess  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict (what a test can inspect)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    """The in-memory keyring as the process's backend for one test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def start_server(home: Path, env: dict | None = None, port: int | None = None) -> ServerProcess:
    """A server process; with `port`, on that port again (a restart keeps the address)."""
    home.mkdir(parents=True, exist_ok=True)
    if port is None:
        return ServerProcess(home, env or {})
    with mock.patch.object(server_services, "free_port", lambda: port):
        return ServerProcess(home, env or {})


@contextmanager
def stopped(server: ServerProcess):
    """Stop the server for a while, then start it again on the same port with the same data."""
    home, port = server.log_path.parent, server.port
    server.stop()
    holder = {}
    yield holder
    holder["server"] = start_server(home, port=port)
