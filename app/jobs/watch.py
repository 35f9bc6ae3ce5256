"""The folder watcher as a use case: watched folders -> core.watch.watcher -> organizer rules -> executor.

``WatchService`` is shared by the tray (GUI) and ``fileorganizer watch`` (CLI). Files that finished
arriving go through the organizer's planner and the executor like any organize run: journaled,
undoable, in History with source "watcher". Callbacks run on the watcher's thread:
``on_batch(BatchResult)`` after each run (per-file logging), ``on_summary(Summary)`` once the
watcher has been quiet for a moment (so a burst of 1,000 files gives one summary), ``on_status``
for folders that vanish or come back.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.ops.execute import DONE, ExecResult
from app.core.ops.plan import OpKind, Plan
from app.core.progress import Progress
from app.core.watch.watcher import Watcher
from app.jobs import watch_rules
from app.jobs.refresh import execute_plan
from app.jobs.undo import NothingToUndo, UndoResult, undo
from app.store import categories_repo, watched
from app.store.db import Database
from app.store.journal import JournalStore
from app.store.watched import WatchedFolder

log = logging.getLogger(__name__)

SOURCE = "watcher"


@dataclass(slots=True)
class BatchResult:
    """What one run of the watcher did with the files of one folder."""

    folder: WatchedFolder
    entry_id: int | None = None
    actions: list[tuple[str, str, str | None]] = field(default_factory=list)   # (kind, src, dst) done
    problems: list[tuple[str, str]] = field(default_factory=list)             # (path, reason)
    unmatched: int = 0                   # finished files no rule applies to
    bytes: int = 0


@dataclass(slots=True)
class Summary:
    """Everything the watcher did since the last summary (one notification)."""

    done: int = 0
    problems: int = 0
    bytes: int = 0
    folders: set[str] = field(default_factory=set)
    entries: list[int] = field(default_factory=list)
    last: list[tuple[str, str, str | None]] = field(default_factory=list)    # a few recent actions

    def add(self, batch: BatchResult) -> None:
        self.done += len(batch.actions)
        self.problems += len(batch.problems)
        self.bytes += batch.bytes
        if batch.actions or batch.problems:
            self.folders.add(batch.folder.path)
        if batch.entry_id is not None:
            self.entries.append(batch.entry_id)
        self.last = (self.last + batch.actions)[-5:]

    @property
    def empty(self) -> bool:
        return not self.done and not self.problems

    def text(self) -> str:
        """One line for a notification or the log."""
        names = ", ".join(sorted(os.path.basename(f.rstrip(os.sep)) or f for f in self.folders))
        parts = []
        if self.done:
            parts.append(f"organized {self.done} file{'s' if self.done != 1 else ''}")
        if self.problems:
            parts.append(f"{self.problems} could not be handled")
        return f"{'; '.join(parts).capitalize()} in {names}." if parts else "Nothing to do."


@dataclass(slots=True)
class UndoSummary:
    """What "Undo last" did."""

    done: int = 0                        # files put back (folders removed again are not counted)
    problems: list[tuple[str, str]] = field(default_factory=list)
    entries: list[int] = field(default_factory=list)


class WatchService:
    """Watches the enabled folders and organizes what arrives; pause, resume, scan, undo."""

    def __init__(self, db: Database, folders: list[WatchedFolder] | None = None, *,
                 settle: float | None = None,
                 on_batch: Callable[[BatchResult], None] | None = None,
                 on_summary: Callable[[Summary], None] | None = None,
                 on_status: Callable[[WatchedFolder, str, str], None] | None = None,
                 health_interval: float = 2.0) -> None:
        self.db = db
        self._fixed = folders                # CLI: folders given on the command line, not stored
        self.on_batch, self.on_summary, self.on_status = on_batch, on_summary, on_status
        self._fixed_settle = settle
        self.settle = settle if settle is not None else watched.settle_seconds(db)
        self.watcher = Watcher(self._on_ready, settle=self.settle, on_status=self._on_status,
                               on_idle=self._on_idle, health_interval=health_interval)
        self.journal = JournalStore(db)
        self._folders: dict[str, WatchedFolder] = {}
        self._rules: dict[str, object] = {}
        self._summary = Summary()
        self._last_entries: list[int] = []
        self._lock = threading.Lock()
        self.progress = Progress()
        self.running = False

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> list[tuple[WatchedFolder, str]]:
        """Start watching (with a catch-up scan); returns folders whose rules could not be loaded."""
        if self._fixed is None and self.db.get_setting(watched.PAUSED_KEY, False):
            self.watcher.pause()
        self.running = True
        return self.reload()

    def stop(self) -> None:
        self.progress.cancel()
        self.watcher.stop()
        self.running = False

    def reload(self) -> list[tuple[WatchedFolder, str]]:
        """Re-read the watched folders, their rules and the settle time (after the user changed them)."""
        if self._fixed_settle is None:
            self.settle = watched.settle_seconds(self.db)
            self.watcher.set_settle(self.settle)
        folders = self._fixed if self._fixed is not None else watched.list_folders(self.db, enabled_only=True)
        bad: list[tuple[WatchedFolder, str]] = []
        wanted: dict[str, WatchedFolder] = {}
        rules: dict[str, object] = {}
        for folder in folders:
            if not folder.enabled:
                continue
            try:
                rules[folder.key] = watch_rules.load(self.db, folder)
            except (ValueError, OSError, LookupError) as exc:
                bad.append((folder, str(exc)))
                continue
            wanted[folder.key] = folder
        with self._lock:
            old = self._folders
            self._folders, self._rules = wanted, rules
        for key in old.keys() - wanted.keys():
            self.watcher.remove_folder(key)
        for key, folder in wanted.items():
            if key not in old or old[key] != folder:
                self.watcher.add_folder(key, folder.path, recursive=folder.recursive,
                                        exclude=self._excludes(folder))
        if self.running and wanted:
            self.watcher.start()        # threads only once there is something to watch; no-op after
        return bad

    @staticmethod
    def _excludes(folder: WatchedFolder) -> tuple[str, ...]:
        """With subfolders watched, the destination inside the folder is left alone."""
        target = os.path.abspath(folder.target)
        inside = target != os.path.abspath(folder.path) and target.startswith(
            os.path.join(os.path.abspath(folder.path), ""))
        return (target,) if inside else ()

    def folders(self) -> list[WatchedFolder]:
        with self._lock:
            return list(self._folders.values())

    @property
    def paused(self) -> bool:
        return self.watcher.paused

    def pause(self, remember: bool = True) -> None:
        """Stop acting on new files until resume(). ``remember=False`` leaves the stored
        setting to ``remember_paused()`` (the tray writes it in a worker, not on the UI thread)."""
        self.watcher.pause()
        if remember:
            self.remember_paused()

    def resume(self, remember: bool = True) -> None:
        """Watch again and catch up with what arrived while paused."""
        if remember:
            self.remember_paused(False)
        self.watcher.resume()

    def remember_paused(self, paused: bool | None = None) -> None:
        """Store whether watching is paused (default: as it is now), so the next start keeps it.
        Folders given on the command line are not stored, and neither is their pause."""
        if self._fixed is None:
            self.db.set_setting(watched.PAUSED_KEY, self.paused if paused is None else paused)

    def scan_now(self) -> None:
        """Look at every file in the watched folders again, also ones seen before."""
        self.watcher.scan(force=True)

    def wait_idle(self, timeout: float) -> bool:
        return self.watcher.wait_idle(timeout)

    def missing(self) -> list[WatchedFolder]:
        keys = set(self.watcher.missing())
        return [f for f in self.folders() if f.key in keys]

    # --- history ------------------------------------------------------------------------------

    def recent(self, limit: int = 10) -> list[watched.Activity]:
        return watched.recent_activity(self.db, limit)

    def undo_last(self) -> UndoSummary | None:
        """Undo what the last summary reported (all its runs), or else the watcher's newest run.

        Restored files are not organized again while they stay unchanged.
        """
        entries = self.journal.entries(500)
        undoable = {e.id for e in entries if e.source == SOURCE and e.status in ("done", "partial")
                    and e.done_count > e.undone_count}
        with self._lock:
            wanted = [i for i in self._last_entries if i in undoable]
            self._last_entries = []
        if not wanted:
            newest = max(undoable, default=None)
            if newest is None:
                return None
            wanted = [newest]
        out = UndoSummary()
        for entry_id in sorted(wanted, reverse=True):
            try:
                result: UndoResult = undo(self.db, entry_id)
            except NothingToUndo:
                continue
            out.entries.append(entry_id)
            out.done += sum(1 for r in result.run.records
                            if r.state == DONE and r.op.kind not in (OpKind.MKDIR, OpKind.RMDIR))
            out.problems.extend(result.problems)
            self.watcher.mark_own([r.op.dst for r in result.run.records if r.state == DONE and r.op.dst])
        return out

    # --- the work -----------------------------------------------------------------------------

    def _on_status(self, key: str, status: str, text: str) -> None:
        folder = self._folders.get(key)
        if folder is None:
            return
        if status == "back" and folder.id is not None:
            watched.mark_seen(self.db, folder.id)
        if self.on_status is not None:
            self.on_status(folder, status, text)

    def _on_ready(self, key: str, paths: list[str]) -> None:
        with self._lock:
            folder, rules = self._folders.get(key), self._rules.get(key)
        if folder is None:
            return
        try:
            batch = self.process(folder, rules, watched.not_placed_by_us(self.db, paths))
        except Exception as exc:          # e.g. the database is locked: report, keep watching
            log.exception("watcher run failed for %s", folder.path)
            batch = BatchResult(folder, problems=[(p, f"not organized: {exc}") for p in paths])
        if self.on_batch is not None:
            self.on_batch(batch)
        with self._lock:
            self._summary.add(batch)

    def _on_idle(self) -> None:
        """The burst is over: one summary for everything since the last one."""
        with self._lock:
            summary, self._summary = self._summary, Summary()
            if summary.entries:
                self._last_entries = list(summary.entries)
        if not summary.empty and self.on_summary is not None:
            self.on_summary(summary)

    def process(self, folder: WatchedFolder, rules, paths: list[str]) -> BatchResult:
        """Plan and run the rules for `paths` of `folder`: one history entry."""
        batch = BatchResult(folder)
        if not paths:
            return batch
        categories_repo.activate(self.db)     # custom categories changed elsewhere take effect
        plan: Plan = watch_rules.plan(rules, paths, folder)
        plan.source = SOURCE
        plan.title = f"Watcher: {os.path.basename(folder.path.rstrip(os.sep)) or folder.path}"
        acted = {op.src for op in plan.operations}
        batch.unmatched = sum(1 for p in paths if p not in acted) - len(plan.skipped)
        batch.problems.extend(plan.skipped)
        if not plan.operations:
            return batch
        self.progress = Progress()
        started = time.monotonic()
        result: ExecResult = execute_plan(self.db, plan, self.journal, self.progress)
        batch.entry_id = result.entry_id
        batch.bytes = result.bytes_done
        produced = []
        for rec in result.records:
            if rec.op.kind in (OpKind.MKDIR, OpKind.RMDIR):
                continue
            if rec.state == DONE:
                batch.actions.append((str(rec.op.kind), rec.op.src, rec.op.dst))
                if rec.op.dst:
                    produced.append(rec.op.dst)
            else:
                batch.problems.append((rec.op.src, rec.error or rec.state))
        self.watcher.mark_own(produced)
        log.info("watcher: %d done, %d problems in %.2fs (%s)", len(batch.actions), len(batch.problems),
                 time.monotonic() - started, folder.path)
        return batch
