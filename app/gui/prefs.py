"""User preferences the app shares with the CLI and the watcher (kept in the database)
and the window's own state (QSettings in the config folder)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings

from app import paths

DEFAULTS: dict[str, Any] = {
    "folders": [],  # scanned folders, in the order the user added them
    "exclude": [".git", "node_modules", "__pycache__", "*.tmp"],
    "keep_policy": "oldest",  # see app.core.dedup.keep
    "reference_folder": "",  # keep policy "reference": keep the copy below this folder
    "permanent_delete": False,  # False: system trash (default, undoable)
    "theme": "system",  # system | light | dark
    "start_minimized": False,
    "include_hidden": True,
}


class Prefs:
    """Typed access to the preferences stored in the database's settings table."""

    PREFIX = "gui."

    def __init__(self, db) -> None:
        self.db = db
        self._cache: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        if key not in self._cache:
            self._cache[key] = self.db.get_setting(self.PREFIX + key, DEFAULTS.get(key))
        value = self._cache[key]
        return list(value) if isinstance(value, list) else value

    def set(self, key: str, value: Any) -> None:
        self._cache[key] = value
        self.db.set_setting(self.PREFIX + key, value)


def window_settings() -> QSettings:
    """Geometry and last view: an INI file under app.paths.config_dir()."""
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)
