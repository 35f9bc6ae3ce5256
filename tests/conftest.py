"""Fixtures shared by every test: an isolated app home, the CLI in a subprocess, corpus trees.
Also switches on the Windows-like mode (tests/windows_like) when FILEORGANIZER_TEST_WINDOWS_LIKE=1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import windows_like

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if windows_like.enabled():
    # Normally pytest itself was started with tests/windows_like on PYTHONPATH (.ci/run does);
    # if not, apply the mode here, late but before any app module is imported, and hand it on
    # to every child Python through PYTHONPATH.
    if str(windows_like.HERE) not in sys.path:
        sys.path.insert(0, str(windows_like.HERE))
    import windows_like_mode

    windows_like_mode.apply()
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = windows_like.pythonpath(*(p for p in inherited if p != str(windows_like.HERE)))


def pytest_report_header(config: pytest.Config) -> str | None:
    if windows_like.enabled():
        return ("Windows-like mode: POSIX-only os functions removed, spawn only, "
                "the send2trash trash (tests/windows_like)")
    return None


def find_mkcorpus() -> Path:
    """The shared corpus generator: ../shared/bench/mkcorpus.py beside the checkout."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "bench" / "mkcorpus.py"
        if candidate.exists():
            return candidate
    raise FileNotFoundError("shared/bench/mkcorpus.py not found beside the checkout")


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh FILEORGANIZER_HOME: every file the app writes goes below it."""
    home = tmp_path / "app-home"
    home.mkdir()
    monkeypatch.setenv("FILEORGANIZER_HOME", str(home))
    return home


@pytest.fixture
def db(app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The app's database in the test's app home. The system trash and the autostart folder
    (XDG data and config) are under tmp_path/"xdg", so no test touches the real ones."""
    from app.store.db import open_database

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    database = open_database()
    yield database
    database.close()


@pytest.fixture
def run_cli(app_home: Path):
    """Run `fileorganizer ARGS...` in a subprocess with the test's app home."""

    def run(*args: str, input: str | None = None, timeout: float = 120, env: dict | None = None,
            check: bool = False) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "FILEORGANIZER_HOME": str(app_home),
                    "PYTHONPATH": windows_like.pythonpath(ROOT), **(env or {})}
        proc = subprocess.run([sys.executable, "-m", "app.cli", *args], input=input, text=True,
                              capture_output=True, timeout=timeout, env=full_env, cwd=ROOT)
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    return run


@pytest.fixture(scope="session")
def make_corpus(tmp_path_factory: pytest.TempPathFactory):
    """Build a mkcorpus.py tree; returns (root, manifest). Cached per (files, seed, total_mb)."""
    cache: dict[tuple, tuple[Path, dict]] = {}

    def make(files: int = 300, seed: int = 1, total_mb: float = 4) -> tuple[Path, dict]:
        key = (files, seed, total_mb)
        if key not in cache:
            out = tmp_path_factory.mktemp("corpus") / f"c{files}_{seed}"
            subprocess.run([sys.executable, str(find_mkcorpus()), str(out), "--files", str(files),
                            "--seed", str(seed), "--total-mb", str(total_mb)],
                           check=True, capture_output=True)
            manifest = json.loads(Path(str(out) + ".manifest.json").read_text())
            cache[key] = (out, manifest)
        return cache[key]

    return make


@pytest.fixture(autouse=True)
def _builtin_categories_only():
    """Custom categories are process-wide once a job activates them: start and end each test
    with the built-in map only, so one test's categories never classify another's files."""
    from app.core.scan.categories import use_custom

    use_custom({})
    yield
    use_custom({})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the Qt tests last: Qt's pool threads stay registered in `threading` for the rest of
    the process, and the duplicate finder rightly refuses to fork beside other threads, so the
    tests of its helper processes must run before any Qt test."""
    items.sort(key=lambda item: "tests/gui/" in item.nodeid.replace("\\", "/"))
