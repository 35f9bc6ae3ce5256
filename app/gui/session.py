"""The state every view shares: database, preferences, jobs, scanned folders and the scan itself.

Views talk to each other only through the signals here: ``folders_changed`` after the list of
scanned folders changed, ``index_changed`` after a scan or an action changed what is on disk,
``history_changed`` after an operation was journaled or undone, ``undone`` after a run was
undone from anywhere (its Undo banners go away; the duplicate list is rebuilt by a rescan).
Undoing a run is written once, here: ``undo(entry_id)``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.gui.prefs import Prefs
from app.gui.worker import JobManager

log = logging.getLogger(__name__)

SCAN = "scan"
FORGET = "forget"
UNDO = "undo"


def tr(text: str) -> str:
    return QCoreApplication.translate("Session", text)


class Session(QObject):
    folders_changed = Signal()
    index_changed = Signal()
    history_changed = Signal()
    duplicates_ready = Signal(object)  # (groups, reclaimable bytes per group or None)
    scan_finished = Signal(object)  # DuplicateResult, or None when cancelled or failed
    message = Signal(str)  # a short notice for the status area
    undone = Signal(int, str)  # the entry undone, and what happened in a sentence

    def __init__(self, db, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.prefs = Prefs(db)
        self.jobs = JobManager(self)
        self.last_scan: Any = None
        self.duplicates: Any = None
        self._reclaim: list[int] | None = None  # bytes each group of ``duplicates`` frees
        self._to_forget: list[str] = []  # removed folders whose rows are still in the index
        self._forgetting: list[str] = []  # ... and those the running forget job drops
        self._forget_held = False  # a forget was cancelled: retry after the next scan, not at once
        self.jobs.finished.connect(self._job_finished)

    # ---- scanned folders -------------------------------------------------------------------
    def folders(self) -> list[str]:
        return self.prefs.get("folders")

    def missing_folders(self) -> list[str]:
        """Scanned folders that no longer exist on disk (deleted, renamed, or a drive unplugged)."""
        return [f for f in self.folders() if not os.path.isdir(f)]

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
        """Stop covering ``path``: the views drop it at once, and a background job drops its
        files and folders from the index (after a running scan). No file on disk is touched."""
        folders = [f for f in self.folders() if f != path]
        self.prefs.set("folders", folders)
        if self.duplicates is not None:
            self.duplicates = within_folders(self.duplicates, folders)
            self._reclaim = None
            self.duplicates_ready.emit((self.duplicates, None))
        self._to_forget.append(path)
        self._start_forget()
        self.folders_changed.emit()
        self.index_changed.emit()

    def _start_forget(self) -> None:
        if not self._to_forget or self.jobs.is_running(FORGET) or self.jobs.is_running(SCAN):
            return  # a scan may still write rows of the removed folder: forget after it
        db, gone, keep = self.db, list(self._to_forget), self.folders()
        self._to_forget.clear()
        self._forgetting = gone

        def run(progress):
            from app.jobs.forget import forget

            return forget(db, gone, keep=keep, progress=progress)

        self.jobs.start(
            FORGET,
            run,
            label=tr("Removing from the index"),
            on_result=self._forgotten,
            on_error=self._forget_failed,
            on_cancelled=self._forget_cancelled,
        )

    def _forgotten(self, result) -> None:
        self.index_changed.emit()

    def _forget_failed(self, message: str, _tb: str) -> None:
        self.message.emit(tr("Could not remove the folder from the index: {msg}").format(msg=message))

    def _forget_cancelled(self) -> None:
        # the index is unchanged (one transaction): forget them after the next scan or removal
        self._to_forget[:0] = [f for f in self._forgetting if f not in self._to_forget]
        self._forget_held = True

    def _job_finished(self, kind: str) -> None:
        if kind == FORGET:
            self._forgetting = []
            if self._forget_held:
                self._forget_held = False
                return
        if kind in (SCAN, FORGET):
            self._start_forget()

    # ---- undo ------------------------------------------------------------------------------
    def undo(self, entry_id: int | None, on_done=None, on_error=None) -> bool:
        """Undo history entry ``entry_id`` (None: the newest with something left to undo) in a
        worker. ``on_done(text)`` / ``on_error(text)`` get the sentence to show; every view
        hears ``undone``. False when an undo is running already (nothing was started)."""
        if self.jobs.is_running(UNDO):
            return False
        db = self.db

        def run(progress):
            from app.jobs.undo import NothingToUndo, undo

            try:
                return undo(db, entry_id, progress)
            except NothingToUndo:
                return None

        def done(result) -> None:
            if result is None:
                text = tr("Nothing left to undo.")
            else:
                text = undo_text(result)
                self.history_changed.emit()
                self.index_changed.emit()
                self.undone.emit(result.entry.id, text)
                self.start_scan()  # the files put back may be duplicates again
            if on_done is not None:
                on_done(text)

        def failed(message: str, _tb: str) -> None:
            text = tr("Undo failed: {m}").format(m=message)
            if on_error is not None:
                on_error(text)
            else:
                self.message.emit(text)

        worker = self.jobs.start(UNDO, run, label=tr("Undoing"), on_result=done, on_error=failed, owner=self)
        return worker is not None

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
            from app.jobs.workers import shared_pool

            result = find_duplicates(db, folders, progress=progress, exclude=exclude,
                                     include_hidden=include_hidden, pool=shared_pool())
            # per-group sums are computed here, off the UI thread: 100,000 groups take ~0.5 s
            return result, [g.reclaimable for g in result.groups]

        worker = self.jobs.start(
            SCAN,
            run,
            label=tr("Scanning"),
            on_result=self._scan_done,
            on_cancelled=self._scan_cancelled,
            on_error=self._scan_failed,
        )
        return worker is not None

    def duplicates_result(self) -> tuple[list, list[int] | None]:
        """What ``duplicates_ready`` last sent, for a view built after it: the groups and the
        bytes each frees (None when they have to be summed again)."""
        return self.duplicates or [], self._reclaim

    def cancel_scan(self) -> None:
        self.jobs.cancel(SCAN)

    def _scan_done(self, value) -> None:
        """A DuplicateResult (the scan summary plus the groups) and the bytes each group frees."""
        result, reclaim = value
        groups = result.groups
        if self._to_forget:  # a folder was removed while the scan ran: leave its copies out
            groups = within_folders(groups, self.folders())
            reclaim = [g.reclaimable for g in groups]
        self.last_scan = result.scan
        self.duplicates, self._reclaim = groups, reclaim
        errors = len(result.errors)
        from app.gui import fmt

        text = tr("Scanned {files} in {t:.1f} s; {groups}{e}.").format(
            files=fmt.plural(result.files_scanned, tr("file"), tr("files")),
            t=result.elapsed,
            groups=fmt.plural(len(groups), tr("duplicate group"), tr("duplicate groups")),
            e=tr(", {n} could not be read").format(n=fmt.count(errors)) if errors else "",
        )
        gone = self.missing_folders()
        if gone:
            text += " " + tr("Not scanned, gone from disk: {paths}.").format(paths=", ".join(gone))
        self.message.emit(text)
        self.scan_finished.emit(result)
        self.duplicates_ready.emit((groups, reclaim))
        self.index_changed.emit()

    def _scan_cancelled(self) -> None:
        self.message.emit(tr("Scan cancelled. What was already scanned is kept."))
        self.scan_finished.emit(None)
        self.index_changed.emit()

    def _scan_failed(self, message: str, _tb: str) -> None:
        self.message.emit(tr("Scan failed: {msg}").format(msg=message))
        self.scan_finished.emit(None)


def within_folders(groups: list, folders: list[str]) -> list:
    """The groups restricted to files below ``folders``; groups left with one copy disappear."""
    prefixes = tuple(f.rstrip(os.sep) + os.sep for f in folders)
    out = []
    for group in groups:
        files = [f for f in group.files if f.path.startswith(prefixes)]
        if len({(f.dev, f.inode) for f in files}) >= 2:
            if len(files) != len(group.files):
                group = replace(group, files=files)
            out.append(group)
    return out


def undo_text(result) -> str:
    """'Undone: 3 files put back.' counted like the run's own "Done" (folders left out)."""
    from app.gui import fmt
    from app.jobs.history import files_done

    n = files_done(result.run.records)
    text = tr("Undone: {files} put back.").format(files=fmt.plural(n, tr("file"), tr("files")))
    problems = result.problems
    if problems:
        text += " " + tr("{n} could not be undone (see History for the reasons).").format(
            n=fmt.plural(len(problems), tr("file"), tr("files"))
        )
    return text
