"""``FileOrganizerPro --self-test``: does this installation work? One line per check, exit 0 if all pass.

Meant for the frozen bundle (installers, CI) as much as for a source checkout: it starts Qt
offscreen, and checks that Qt, the resources, the database, hashing, the worker processes, the
watcher, the trash and the keyring load and work, all on a temporary folder (FILEORGANIZER_HOME
points there while it runs, so the user's own database is never opened). A windowed frozen app
may have no console (sys.stdout is None): the report then goes to ``selftest.log`` in the
user's log folder.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import pkgutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import app
from app import paths

# BLAKE3 of the empty input, from the reference test vectors: proves the native extension runs.
BLAKE3_EMPTY = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
NATIVE_OBSERVERS = {"linux": "InotifyObserver", "darwin": "FSEventsObserver", "win32": "WindowsApiObserver"}
KEYRING_BACKENDS = {"linux": "SecretService", "darwin": "macOS", "win32": "Windows"}


def resources_dir() -> Path:
    """The resources folder: inside the bundle when frozen, beside the package in a checkout."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
    return Path(app.__file__).resolve().parents[1] / "resources"


def _platform_key() -> str:
    return "linux" if sys.platform.startswith("linux") else sys.platform


def check_resources(_tmp: Path) -> str:
    root = resources_dir()
    icon = root / "icon.svg"
    if not icon.is_file():
        raise FileNotFoundError(f"{icon} is missing")
    count = sum(1 for p in root.rglob("*") if p.is_file())
    return f"{count} files in {root}"


def check_qt(_tmp: Path) -> str:
    import PySide6
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QLabel

    qapp = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "FileOrganizerPro"])
    icon = QIcon(str(resources_dir() / "icon.svg"))
    pixmap = icon.pixmap(QSize(64, 64))
    if pixmap.isNull() or pixmap.toImage().pixelColor(32, 40).alpha() == 0:
        raise RuntimeError("the SVG icon engine did not render the app icon")
    label = QLabel("FileOrganizer Pro")
    label.resize(200, 40)
    if label.grab().toImage().isNull():
        raise RuntimeError("could not paint a widget")
    gui = importlib.import_module("app.gui")
    modules = [name for _, name, _ in pkgutil.walk_packages(gui.__path__, "app.gui.")]
    for name in modules:
        importlib.import_module(name)
    return (f"PySide6 {PySide6.__version__}, platform {qapp.platformName()}, "
            f"{len(modules)} GUI modules imported")


def check_database(tmp: Path) -> str:
    from app.store.db import open_database

    db = open_database()
    try:
        if Path(db.path).parent != paths.data_dir() or not str(db.path).startswith(str(tmp)):
            raise RuntimeError(f"database opened outside the temporary folder: {db.path}")
        db.set_setting("selftest", {"ok": [1, 2, 3]})
        if db.get_setting("selftest") != {"ok": [1, 2, 3]}:
            raise RuntimeError("a setting did not read back")
        with db.engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sqlite = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
    finally:
        db.close()
    if mode != "wal":
        raise RuntimeError(f"journal mode is {mode}, not wal")
    return f"SQLite {sqlite}, WAL, schema created, setting round trip"


def check_hashing(tmp: Path) -> str:
    from blake3 import blake3

    from app.core.dedup.hashing import full_hash, partial_hash

    if blake3(b"").hexdigest() != BLAKE3_EMPTY:
        raise RuntimeError("blake3 of the empty input is wrong")
    data = os.urandom(3 * 2**20 + 17)
    path = tmp / "hash.bin"
    path.write_bytes(data)
    if full_hash(str(path), len(data)) != blake3(data).digest():
        raise RuntimeError("full_hash differs from blake3 of the same bytes")
    partial_hash(str(path), len(data))
    return f"blake3 known answer, full and partial hash of {len(data)} bytes"


def check_workers(tmp: Path) -> str:
    """The worker processes the scanner and the duplicate finder start (spawn: a bundled app
    starts them by running itself again, which must stop at freeze_support)."""
    from app.core.dedup import hashing
    from app.jobs.workers import WorkerPool

    data = os.urandom(20_000)
    path = tmp / "worker.bin"
    path.write_bytes(data)
    with WorkerPool(workers=1) as pool:
        future = pool.hash(hashing.FULL, [(1, str(path), len(data))])
        (key, _, digest, _), = future.result(timeout=60)
    if key != 1 or digest != hashing.full_hash(str(path), len(data)):
        raise RuntimeError("a worker process hashed the file wrongly")
    return "a spawned worker process hashed a file"


def check_watcher(tmp: Path) -> str:
    from watchdog.observers import Observer

    from app.core.watch.watcher import Watcher

    expected = NATIVE_OBSERVERS.get(_platform_key())
    if expected and Observer.__name__ != expected:
        raise RuntimeError(f"watchdog uses {Observer.__name__}, not the native {expected}")
    folder = tmp / "watched"
    folder.mkdir()
    seen: list[str] = []
    arrived = threading.Event()

    def on_ready(_key: str, files: list[str]) -> None:
        seen.extend(files)
        arrived.set()

    watcher = Watcher(on_ready, settle=0.2)
    watcher.add_folder("selftest", str(folder))
    watcher.start()
    try:
        time.sleep(0.2)
        target = folder / "arrived.txt"
        target.write_text("new file\n")
        if not arrived.wait(15):
            raise RuntimeError("no event for a file created in a watched folder within 15 s")
    finally:
        watcher.stop()
    if str(target) not in seen:
        raise RuntimeError(f"watcher reported {seen}, not {target}")
    return f"{Observer.__name__} saw a new file"


def check_trash(tmp: Path) -> str:
    from app.core.ops import trash

    if not trash.FREEDESKTOP:
        # The Windows/macOS trash is the user's own: load its backend, do not put files in it.
        import send2trash

        module = send2trash.send2trash.__module__
        return f"send2trash backend {module} loaded (not exercised: it is the user's own trash)"
    target = tmp / "trash-me.txt"
    target.write_text("to the trash and back\n")
    slot = trash.TrashSlot(str(tmp / "Trash"), "trash-me.txt", None)
    for sub in ("files", "info"):
        (tmp / "Trash" / sub).mkdir(parents=True, exist_ok=True)
    trash.trash_to_slot(str(target), slot)
    if target.exists() or not os.path.exists(slot.file_path):
        raise RuntimeError("the file did not move into the trash")
    if trash.info_original(slot) != str(target):
        raise RuntimeError("the .trashinfo does not record the original path")
    trash.restore_slot(slot, str(target))
    if not target.exists():
        raise RuntimeError("the file did not come back from the trash")
    return "freedesktop trash: trashed and restored a file"


class NotAvailable(Exception):  # noqa: N818 - a state, not a failure
    """A check that cannot run on this machine (not a failure): reported as N/A."""


def check_keyring(tmp: Path) -> str:
    import keyring
    from keyring.backend import KeyringBackend

    wanted = KEYRING_BACKENDS.get(_platform_key())
    names = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="keyring.backends")}
    if wanted:
        if wanted not in names:
            raise RuntimeError(f"keyring backend {wanted} is not registered (metadata missing?)")
        importlib.import_module(names[wanted])
    system = keyring.get_keyring()

    class FolderKeyring(KeyringBackend):
        """A throwaway backend storing secrets as files in the temporary folder."""

        priority = 1

        def _file(self, service: str, username: str) -> Path:
            return tmp / "keyring" / f"{service}.{username}"

        def get_password(self, service, username):
            path = self._file(service, username)
            return path.read_text() if path.exists() else None

        def set_password(self, service, username, password):
            path = self._file(service, username)
            path.parent.mkdir(exist_ok=True)
            path.write_text(password)

        def delete_password(self, service, username):
            self._file(service, username).unlink()

    keyring.set_keyring(FolderKeyring())
    try:
        keyring.set_password("FileOrganizerPro-selftest", "user", "secret")
        if keyring.get_password("FileOrganizerPro-selftest", "user") != "secret":
            raise RuntimeError("a password did not read back")
        keyring.delete_password("FileOrganizerPro-selftest", "user")
    finally:
        keyring.set_keyring(system)
    label = f"{type(system).__module__}.{type(system).__name__}"
    if _no_keyring(system):
        raise NotAvailable(f"no system keyring here ({label}): sign-ins are kept in a file only the "
                           f"user can read (0600) instead; backends {', '.join(sorted(names))}, "
                           "API round trip works")
    return f"backends {', '.join(sorted(names))}; system keyring {label}; API round trip"


def _no_keyring(system) -> bool:
    """True for keyring's stand-ins that store nothing: the 'fail' and 'null' backends, or a
    chain of no backends (what keyring picks on a desktop without a secret service)."""
    module = type(system).__module__
    if module in ("keyring.backends.fail", "keyring.backends.null"):
        return True
    chained = getattr(system, "backends", None)
    return chained is not None and not any(not _no_keyring(b) for b in chained)


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("resources", check_resources),
    ("qt", check_qt),
    ("database", check_database),
    ("hashing", check_hashing),
    ("workers", check_workers),
    ("watcher", check_watcher),
    ("trash", check_trash),
    ("keyring", check_keyring),
]


def run_checks(emit: Callable[[str], None]) -> bool:
    """Run every check on a fresh temporary folder; emit one line per check (PASS, FAIL, or N/A
    for what this machine lacks, e.g. a system keyring); True if none failed."""
    saved_home = os.environ.get(paths.HOME_ENV)
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="fileorganizer-selftest-") as tmp_name:
        tmp = Path(tmp_name).resolve()
        os.environ[paths.HOME_ENV] = str(tmp / "home")
        try:
            for name, check in CHECKS:
                started = time.perf_counter()
                status = "PASS"
                try:
                    detail = check(tmp)
                except NotAvailable as exc:
                    detail, status = str(exc), "N/A"
                except Exception as exc:
                    detail, status = f"{type(exc).__name__}: {exc}", "FAIL"
                all_ok &= status != "FAIL"
                ms = (time.perf_counter() - started) * 1000
                emit(f"{status} {name}: {detail} ({ms:.0f} ms)")
        finally:
            if saved_home is None:
                os.environ.pop(paths.HOME_ENV, None)
            else:
                os.environ[paths.HOME_ENV] = saved_home
    return all_ok


def main() -> int:
    """Run the self-test; 0 if every check passed, 1 otherwise."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    lines: list[str] = []
    stream = sys.stdout

    def emit(line: str) -> None:
        lines.append(line)
        if stream is not None:
            stream.write(line + "\n")
            stream.flush()

    frozen = "frozen" if getattr(sys, "frozen", False) else "source"
    emit(f"FileOrganizer Pro {app.__version__} self-test ({frozen}, Python {sys.version.split()[0]}, "
         f"{sys.platform})")
    ok = run_checks(emit)
    emit("all checks passed" if ok else "some checks FAILED")
    if stream is None:
        (paths.log_dir() / "selftest.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
