"""The state every view shares: database, preferences, jobs, scanned folders and the scan itself.

Views talk to each other only through the signals here: ``folders_changed`` after the list of
scanned folders changed, ``index_changed`` after a scan or an action changed what is on disk,
``history_changed`` after an operation was journaled or undone.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.gui.prefs import Prefs
from app.gui.worker import JobManager

log = logging.getLogger(__name__)

SCAN = "scan"


def tr(text: str) -> str:
    return QCoreApplication.translate("Session", text)


class Session(QObject):
    folders_changed = Signal()
    index_changed = Signal()
    history_changed = Signal()
    duplicates_ready = Signal(object)        # the find_duplicates result of the last scan
    scan_finished = Signal(object)           # ScanResult-like object, or None when cancelled
    message = Signal(str)                    # a short notice for the status area

    def __init__(self, db, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.prefs = Prefs(db)
        self.jobs = JobManager(self)
        self.last_scan: Any = None
        self.duplicates: Any = None

    # ---- scanned folders -------------------------------------------------------------------
    def folders(self) -> list[str]:
        return self.prefs.get("folders")

    def add_folders(self, paths: list[str], scan: bool = True) -> list[str]:
        """Add existing folders (ignoring files and ones already listed); optionally scan them."""
        current = self.folders()
        added = []
        for p in paths:
            path = os.path.abspath(os.path.expanduser(p))
            if os.path.isdir(path) and path not in current and path not in added:
                added.append(path)
        if added:
            self.prefs.set("folders", current + added)
            self.folders_changed.emit()
        if scan and (added or paths):
            self.start_scan()
        return added

    def remove_folder(self, path: str) -> None:
        """Stop scanning ``path`` and drop its files from the index (in the background)."""
        folders = [f for f in self.folders() if f != path]
        self.prefs.set("folders", folders)
        self.folders_changed.emit()
        db = self.db

        def forget(progress):
            from app.jobs.index import forget_root
            forget_root(db, path, progress=progress)

        self.jobs.start("forget", forget, label=tr("Removing folder from the index"),
                        on_result=lambda _r: self.index_changed.emit())

    # ---- scanning --------------------------------------------------------------------------
    def start_scan(self) -> bool:
        """Scan every folder, then look for duplicates. False when nothing to do or already running."""
        folders = [f for f in self.folders() if os.path.isdir(f)]
        if not folders or self.jobs.is_running(SCAN):
            return False
        db = self.db
        exclude = tuple(self.prefs.get("exclude"))
        include_hidden = bool(self.prefs.get("include_hidden"))

        def run(progress):
            from app.jobs.duplicates import find_duplicates
            from app.jobs.scan import scan
            result = scan(db, folders, progress=progress, exclude=exclude, include_hidden=include_hidden)
            groups = find_duplicates(db, folders, progress=progress)
            return result, groups

        worker = self.jobs.start(SCAN, run, label=tr("Scanning"), on_result=self._scan_done,
                                 on_cancelled=self._scan_cancelled, on_error=self._scan_failed)
        return worker is not None

    def cancel_scan(self) -> None:
        self.jobs.cancel(SCAN)

    def _scan_done(self, value) -> None:
        result, groups = value
        self.last_scan = result
        self.duplicates = groups
        self.scan_finished.emit(result)
        self.duplicates_ready.emit(groups)
        self.index_changed.emit()

    def _scan_cancelled(self) -> None:
        self.message.emit(tr("Scan cancelled. What was already scanned is kept."))
        self.scan_finished.emit(None)
        self.index_changed.emit()

    def _scan_failed(self, message: str, _tb: str) -> None:
        self.message.emit(tr("Scan failed: {msg}").format(msg=message))
        self.scan_finished.emit(None)

    # ---- helpers ---------------------------------------------------------------------------
    @staticmethod
    def folder_of(path: str) -> str:
        return str(Path(path).parent)
