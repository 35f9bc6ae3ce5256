"""Fixtures for the desktop app tests: a real window on the offscreen platform, real folders."""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def uncaught_errors(monkeypatch: pytest.MonkeyPatch):
    """Fail the test when any exception reaches sys.excepthook, threading.excepthook or the
    app's crash handler while it runs.

    The Controller installs its own hooks (replacing pytest-qt's capture) and the tests turn
    its dialog off, so without this an error in a slot would only reach the log file and the
    test would pass. A test that raises on purpose clears the returned list.
    """
    from app.gui import crash

    caught: list[str] = []
    original = crash.CrashHandler._hook

    def recording_hook(self, exc_type, exc, tb) -> None:
        if not issubclass(exc_type, KeyboardInterrupt):
            caught.append("".join(traceback.format_exception(exc_type, exc, tb)))
        original(self, exc_type, exc, tb)

    def plain_hook(exc_type, exc, tb) -> None:
        caught.append("".join(traceback.format_exception(exc_type, exc, tb)))

    monkeypatch.setattr(crash.CrashHandler, "_hook", recording_hook)
    # restored after the test: a Controller replaces both, and its handler dies with it
    monkeypatch.setattr(sys, "excepthook", plain_hook)
    monkeypatch.setattr(
        threading, "excepthook", lambda a: plain_hook(a.exc_type, a.exc_value, a.exc_traceback)
    )
    yield caught
    if caught:
        pytest.fail("uncaught exception during the test:\n" + "\n".join(caught), pytrace=False)


@pytest.fixture
def controller(qapp, app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The app as `python -m app` builds it (without the single-instance server), shut down after."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))  # the trash goes here
    from app.gui.application import Controller

    ctl = Controller(qapp, [], single_instance=False)
    ctl.crash.dialogs_enabled = False  # no modal box in tests: uncaught_errors fails the test
    ctl.window.resize(1200, 780)
    ctl.window.show()
    yield ctl
    ctl.session.jobs.shutdown()
    ctl.window.hide_on_close = False
    ctl.window.close()
    ctl.shutdown()  # done by closing the window already, unless a tray kept it open: never leave it
    ctl.window.deleteLater()
    ctl.db.close()
    qapp.processEvents()


@pytest.fixture
def window(controller):
    return controller.window


@pytest.fixture
def wait_idle(qtbot, controller):
    """Wait until no background job runs (and their results were delivered)."""

    def wait(timeout: float = 60) -> None:
        jobs = controller.session.jobs
        deadline = time.monotonic() + timeout
        qtbot.waitUntil(
            lambda: not jobs.running() or time.monotonic() > deadline, timeout=int(timeout * 1000)
        )
        qtbot.wait(20)
        assert not jobs.running(), f"jobs still running: {jobs.running()}"

    return wait


@pytest.fixture
def dup_folder(tmp_path: Path) -> Path:
    """A small real tree with known duplicates: 3 copies of a.bin, 2 of b.txt, 1 unique."""
    root = tmp_path / "Stuff"
    (root / "sub").mkdir(parents=True)
    (root / "other").mkdir()
    a = os.urandom(40_000)
    b = b"hello duplicate world\n" * 500
    (root / "a.bin").write_bytes(a)
    (root / "sub" / "a copy.bin").write_bytes(a)
    (root / "other" / "a.bin").write_bytes(a)
    (root / "b.txt").write_bytes(b)
    (root / "sub" / "b.txt").write_bytes(b)
    (root / "unique.jpg").write_bytes(os.urandom(5000))
    old = time.time() - 3 * 86400
    os.utime(root / "a.bin", (old, old))  # the oldest copy: the one "keep oldest" keeps
    os.utime(root / "b.txt", (old, old))
    return root


# --- Settings > Account tests: the real sync server on loopback, the in-memory keyring ----------
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
import sync_fixtures  # noqa: E402

memory_keyring = sync_fixtures.memory_keyring        # the fixture, shared with tests/sync


@pytest.fixture(scope="module")
def account_server(tmp_path_factory):
    server = sync_fixtures.start_server(tmp_path_factory.mktemp("account-server"))
    yield server
    server.stop()


@pytest.fixture
def no_sync_after_the_test(controller):
    """The window is closed at teardown: no automatic sync of this session may start later
    (account tests take it with ``pytest.mark.usefixtures``)."""
    yield
    from app.gui.account import controller as sync_controller

    sync_controller(controller.session).stop()
