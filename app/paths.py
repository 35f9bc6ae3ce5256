"""Every on-disk location the app writes to.

All locations come from platformdirs, except when the environment variable
FILEORGANIZER_HOME is set: then every file the app writes (database, logs,
cache, settings) lives under that one folder. Tests and portable installs use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

HOME_ENV = "FILEORGANIZER_HOME"
_DIRS = PlatformDirs(appname="FileOrganizerPro", appauthor=False)


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser().resolve() if value else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Folder for the database and other durable state."""
    home = _home()
    return _ensure(home / "data" if home else Path(_DIRS.user_data_dir))


def config_dir() -> Path:
    """Folder for settings files."""
    home = _home()
    return _ensure(home / "config" if home else Path(_DIRS.user_config_dir))


def cache_dir() -> Path:
    """Folder for disposable caches."""
    home = _home()
    return _ensure(home / "cache" if home else Path(_DIRS.user_cache_dir))


def log_dir() -> Path:
    """Folder for log files."""
    home = _home()
    return _ensure(home / "logs" if home else Path(_DIRS.user_log_dir))


def database_path() -> Path:
    """The local SQLite index and journal."""
    return data_dir() / "fileorganizer.db"


def log_file() -> Path:
    """The app's main log file."""
    return log_dir() / "fileorganizer.log"
