"""Sync test fixtures: the real server on 127.0.0.1, an in-memory keyring, and app databases
standing for devices of one user."""

from __future__ import annotations

import uuid

import pytest
import sync_fixtures
from sync_fixtures import start_server, stopped

from app.store.db import open_database

__all__ = ["start_server", "stopped"]

memory_keyring = sync_fixtures.memory_keyring


@pytest.fixture(autouse=True)
def _private_home(app_home):
    """Every sync test writes below a fresh FILEORGANIZER_HOME: without a keyring, sign-ins go
    to a file of the config folder, never the real user's."""
    return app_home


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("sync-server"))
    yield server
    server.stop()


@pytest.fixture
def device(tmp_path):
    """Open a device's database by name: device("A") -> Database (closed at the end)."""
    opened = []

    def make(name: str):
        (tmp_path / f"device-{name}").mkdir(exist_ok=True)
        db = open_database(tmp_path / f"device-{name}" / "app.db")
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()


@pytest.fixture
def email():
    return f"user-{uuid.uuid4().hex[:12]}@example.org"
