"""History: every operation (organizer, duplicates, watcher, undo) with counts and bytes, the
files of the selected one with their outcome, Undo per entry, and what could not be undone."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from app.gui import fmt
from app.gui.models.rows import Column, RowsModel
from app.gui.session import Session
from app.gui.views.undo_offer import start_undo
from app.gui.widgets import Banner, Card, EmptyState, PageHeader, button, label, table

SOURCES = (
    ("", "All sources"),
    ("duplicates", "Duplicates"),
    ("organizer", "Organizer"),
    ("watcher", "Watcher"),
    ("undo", "Undo"),
)
STATUS = {
    "done": "Done",
    "partial": "Partly done",
    "failed": "Failed",
    "undone": "Undone",
    "running": "Running",
    "cancelled": "Cancelled",
}
KINDS = {
    "move": "Move",
    "copy": "Copy",
    "rename": "Rename",
    "trash": "Trash",
    "hardlink": "Hard link",
    "symlink": "Symlink",
    "delete": "Delete",
    "mkdir": "New folder",
    "rmdir": "Remove folder",
    "restore": "Restore",
    "unlink": "Remove link",
}
STATES = {"done": "Done", "failed": "Failed", "skipped": "Skipped", "undone": "Undone", "planned": "Planned"}


def tr(text: str) -> str:
    return QCoreApplication.translate("History", text)


class HistoryView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._dirty = True
        self._select_id: int | None = None
        self._known_ids: set[int] | None = None  # entries listed before the last reload
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 12)
        lay.setSpacing(12)
        self.header = PageHeader(
            tr("History"),
            tr(
                "Everything the app changed on disk. Undo any entry; "
                "files that changed since are left alone and listed."
            ),
        )
        self.source_box = QComboBox()
        self.source_box.setAccessibleName(tr("Show entries from"))
        for key, text in SOURCES:
            self.source_box.addItem(tr(text), key)
        self.source_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.header.add(self.source_box)
        self.undo_btn = button(tr("Undo"), "undo", primary=True, tip=tr("Undo the selected entry (Ctrl+Z)"))
        self.undo_btn.clicked.connect(self.undo_selected)
        # a shortcut of the page, not of the button: a disabled button would swallow it silently
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo_key)
        self.header.add(self.undo_btn)
        lay.addWidget(self.header)
        self.banner = Banner()
        lay.addWidget(self.banner)

        self.entries = RowsModel(
            [
                Column(tr("When"), lambda e: fmt.date(e.started_at), sort=lambda e: e.started_at),
                Column(tr("What"), lambda e: e.title or e.source, tooltip=lambda e: e.title),
                Column(tr("Source"), lambda e: tr(dict(SOURCES).get(e.source, e.source))),
                Column(
                    tr("Files"), lambda e: self._files_text(e), sort=lambda e: e.done_count, align_right=True
                ),
                Column(tr("Size"), lambda e: fmt.size(e.bytes), sort=lambda e: e.bytes, align_right=True),
                Column(tr("Status"), lambda e: self._status_text(e)),
            ]
        )
        self.entries_view = table(self.entries, stretch=1, name=tr("History entries"))
        self.entries_view.setColumnWidth(0, 140)
        self.entries_view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.entries_view.selectionModel().currentRowChanged.connect(self._entry_changed)

        self.records = RowsModel(
            [
                Column(tr("Action"), lambda r: tr(KINDS.get(str(r.op.kind), str(r.op.kind)))),
                Column(tr("File"), lambda r: r.op.src, tooltip=lambda r: r.op.src),
                Column(
                    tr("To"),
                    lambda r: r.op.dst or (r.op.keep and tr("kept: ") + os.path.basename(r.op.keep)) or "",
                    tooltip=lambda r: r.op.dst or r.op.keep or "",
                ),
                Column(
                    tr("Result"),
                    lambda r: tr(STATES.get(r.state, r.state)) + (f": {r.error}" if r.error else ""),
                    tooltip=lambda r: r.error or "",
                ),
            ]
        )
        self.records_view = table(self.records, stretch=1, name=tr("Files of the selected entry"))
        self.records_view.setColumnWidth(0, 90)
        self.records_view.setColumnWidth(2, 220)

        self.pages = QStackedWidget()
        self.empty = EmptyState(
            "history",
            tr("Nothing has been changed yet"),
            tr(
                "When you remove duplicates or apply organizer rules, every change is "
                "listed here and can be undone."
            ),
        )
        self.pages.addWidget(self.empty)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        top = Card()
        top.body.addWidget(label(tr("Operations"), "SectionTitle"))
        top.body.addWidget(self.entries_view)
        split.addWidget(top)
        bottom = Card()
        self.detail_title = label(tr("Files"), "SectionTitle")
        bottom.body.addWidget(self.detail_title)
        self.detail_note = label("", "Muted", wrap=True)
        self.detail_note.hide()
        bottom.body.addWidget(self.detail_note)
        bottom.body.addWidget(self.records_view)
        split.addWidget(bottom)
        split.setSizes([300, 300])
        self.pages.addWidget(split)
        lay.addWidget(self.pages, 1)
        session.history_changed.connect(self._mark_dirty)
        self.undo_btn.setEnabled(False)

    @staticmethod
    def _files_text(e) -> str:
        text = fmt.count(e.done_count)
        if e.op_count and e.op_count != e.done_count:
            text += f" / {fmt.count(e.op_count)}"
        return text

    @staticmethod
    def _status_text(e) -> str:
        text = tr(STATUS.get(e.status, e.status))
        problems = e.failed_count + e.skipped_count
        if problems:
            text += tr(" · {n} not done").format(n=problems)
        if getattr(e, "undone_count", 0) and e.status != "undone":
            text += tr(" · {n} undone").format(n=e.undone_count)
        return text

    # ---- data ------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.reload()

    def on_shown(self) -> None:
        if self._dirty:
            self.reload()

    def reload(self) -> None:
        self._dirty = False
        db, source = self.session.db, self.source_box.currentData()

        def run(_progress):
            from app.jobs.history import entries

            return entries(db, source, limit=500)

        self.session.jobs.start(
            "history", run, label=tr("Loading history"), on_result=self._loaded, quiet=True
        )

    def _loaded(self, entries) -> None:
        """Show ``entries``. New runs since the last load: select the newest (the user wants to
        see what just happened); otherwise the selection stays on the entry it was on."""
        current = self.entries.row(self.entries_view.currentIndex())
        ids = {e.id for e in entries}
        new = self._known_ids is not None and bool(ids - self._known_ids)
        self._known_ids = ids
        newest = max(entries, key=lambda e: (e.started_at, e.id)).id if entries else None
        keep_id = self._select_id or (newest if new else (current.id if current else None))
        self._select_id = None
        self.entries.set_rows(entries)
        self.pages.setCurrentIndex(1 if entries or self.source_box.currentData() else 0)
        shown = [self.entries.row(self.entries.index(i, 0)) for i in range(self.entries.rowCount())]
        row = next((i for i, e in enumerate(shown) if e.id == keep_id), 0 if entries else -1)
        if row >= 0:
            self.entries_view.selectionModel().setCurrentIndex(
                self.entries.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        else:
            self.records.set_rows([])
            self.undo_btn.setEnabled(False)

    @staticmethod
    def why_not_undoable(entry) -> str:
        """'' when ``entry`` can be undone, else the reason in a sentence."""
        if entry.source == "undo":
            return tr("It is an undo itself; undo the original entry again instead.")
        if entry.status == "undone" or entry.done_count <= getattr(entry, "undone_count", 0):
            return tr("It was undone already.")
        if entry.status == "running":
            return tr("It is still running.")
        if entry.status not in ("done", "partial"):
            return tr("Nothing in it was done, so there is nothing to undo.")
        return ""

    def _entry_changed(self, current, _previous) -> None:
        entry = self.entries.row(current)
        self.undo_btn.setEnabled(bool(entry) and not self.why_not_undoable(entry))
        if entry is None:
            return
        self.detail_title.setText(tr("Files of “{t}”").format(t=entry.title or entry.source))
        db = self.session.db

        def run(_progress):
            from app.jobs.history import records

            return entry.id, records(db, entry.id)

        self.session.jobs.start(
            "history-records", run, on_result=self._records_loaded, label=tr("Loading history"), quiet=True
        )

    def _records_loaded(self, value) -> None:
        entry_id, records = value
        current = self.entries.row(self.entries_view.currentIndex())
        if current is None or current.id != entry_id:
            self._entry_changed(self.entries_view.currentIndex(), None)
            return
        self.records.set_rows(records)
        problems = [r for r in records if r.state in ("failed", "skipped")]
        self.detail_note.setText(
            tr("{ops} did not happen or could not be undone; the reason is in the Result column.").format(
                ops=fmt.plural(len(problems), tr("operation"), tr("operations"))
            )
            if problems
            else ""
        )
        self.detail_note.setVisible(bool(problems))

    # ---- undo ------------------------------------------------------------------------------
    def undo_key(self) -> None:
        """Ctrl+Z: undo the selected entry, or the newest one when none is selected; always
        say what happened (never silently nothing)."""
        entry = self.entries.row(self.entries_view.currentIndex())
        if entry is None:
            start_undo(self.session, None, self.banner.show_message)
            return
        why = self.why_not_undoable(entry)
        if why:
            title = entry.title or entry.source
            self.banner.show_message(tr("“{t}” cannot be undone. {why}").format(t=title, why=why))
            return
        self.undo_selected()

    def undo_selected(self) -> None:
        entry = self.entries.row(self.entries_view.currentIndex())
        if entry is None or self.why_not_undoable(entry):
            return
        if start_undo(self.session, entry.id, self.banner.show_message, entry.title or entry.source):
            self._select_id = entry.id
            self.undo_btn.setEnabled(False)

    def refresh_theme(self) -> None:
        self.empty.refresh_icon()
