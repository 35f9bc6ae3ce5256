"""The "Watched folders" dialog: which folders the watcher looks after, with what rules, where files
go, each folder's on/off switch, the settle time and start at login; and ``WatcherSettings``, the
part of the Settings view that opens it (also reachable where the desktop has no tray).

Both read and write the watched folders through ``app.jobs.watched_folders`` in a worker, one
change after another (``WriteQueue``): a click never waits on the database on the UI thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui import autostart, fmt
from app.gui.worker import JobManager
from app.gui.write_queue import WriteQueue
from app.jobs import watch_rules
from app.jobs import watched_folders as watched
from app.jobs.watched_folders import WatchedFolder


def tr(text: str) -> str:
    return QCoreApplication.translate("WatchDialog", text)


class LoginCheckBox(QCheckBox):
    """"Start at login": switches the autostart entry and always shows its real state."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.sync()
        self.toggled.connect(self._toggle)

    def sync(self) -> None:
        """Show whether the app starts at login now (without switching anything)."""
        self.blockSignals(True)
        self.setChecked(autostart.is_enabled())
        self.blockSignals(False)

    def _toggle(self, on: bool) -> None:
        try:
            autostart.set_enabled(on)
        except OSError as exc:
            QMessageBox.warning(self, tr("Start at login"), tr("Could not change it: {e}").format(e=exc))
            self.sync()


COLUMNS = ("On", "Folder", "Rules", "Destination", "Subfolders")
CHECKABLE = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class WatchDialog(QDialog):
    """Edits the watched folders; calls `on_changed()` once each change is stored. ``jobs`` is the
    window's job manager (without one the dialog makes its own)."""

    def __init__(
        self,
        db,
        on_changed: Callable[[], None] | None = None,
        parent: QWidget | None = None,
        jobs: JobManager | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.on_changed = db, on_changed or (lambda: None)
        self.folders: list[WatchedFolder] = []
        self.writes = WriteQueue(jobs, "watched-folders", on_error=self._write_failed, parent=self)
        self.setWindowTitle(tr("Watched folders"))
        self.resize(760, 420)
        lay = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "New files in these folders are organized once they have finished arriving. "
                "Every run is in History and can be undone."
            )
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # the rules box shows its whole choice ("By category"), not "By ca": see _fit_rules
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setAccessibleName(tr("Watched folders"))
        self.table.itemChanged.connect(self._item_changed)
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(tr("Add folder…"))
        self.add_button.clicked.connect(self.choose_folder)
        self.dest_button = QPushButton(tr("Destination…"))
        self.dest_button.clicked.connect(self.choose_dest)
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        for b in (self.add_button, self.dest_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        form = QFormLayout()
        self.settle = QDoubleSpinBox()
        self.settle.setRange(0.5, 600)
        self.settle.setDecimals(1)
        self.settle.setSuffix(tr(" s"))
        self._settle_read = False              # edits count once the stored value is shown
        self.settle.setAccessibleName(tr("Settle time"))
        self.settle.editingFinished.connect(self._save_settle)
        form.addRow(tr("Wait until a file has not changed for"), self.settle)
        self.login = LoginCheckBox(tr("Start FileOrganizer Pro at login (in the tray)"))
        form.addRow("", self.login)
        lay.addLayout(form)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.writes.run(lambda: watched.settle_seconds(db), self._show_settle)
        self.refresh()

    # --- table --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the watched folders again (after every change queued before) and show them."""
        db = self.db
        self.writes.run(lambda: watched.folders(db), self._show)

    def _show(self, folders: list[WatchedFolder]) -> None:
        self.folders = folders
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.folders))
        for row, folder in enumerate(self.folders):
            on = QTableWidgetItem()
            on.setFlags(CHECKABLE)
            on.setCheckState(Qt.CheckState.Checked if folder.enabled else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, on)
            missing = "" if os.path.isdir(folder.path) else tr(" (not found)")
            self.table.setItem(row, 1, self._text(folder.path + missing))
            self.table.setCellWidget(row, 2, self._rules_box(folder))
            self.table.setItem(row, 3, self._text(folder.dest or tr("(the folder itself)")))
            sub = QTableWidgetItem()
            sub.setFlags(CHECKABLE)
            sub.setCheckState(Qt.CheckState.Checked if folder.recursive else Qt.CheckState.Unchecked)
            self.table.setItem(row, 4, sub)
        self.table.blockSignals(False)
        self._fit_rules()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self._fit_rules()

    def _fit_rules(self) -> None:
        """The Rules column as wide as its widest box wants (styled boxes know it once shown)."""
        boxes = [self.table.cellWidget(row, 2) for row in range(self.table.rowCount())]
        for b in boxes:
            if b is not None:
                b.ensurePolished()  # the style sheet's padding counts
        widths = [b.sizeHint().width() for b in boxes if b is not None]
        if widths:
            # the cell's box is placed inside the item's padding (the style sheet's): add room
            self.table.setColumnWidth(2, max(widths) + 16)

    @staticmethod
    def _text(text: str) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setToolTip(text)
        return item

    def _rules_box(self, folder: WatchedFolder) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName(tr("Rules for {p}").format(p=folder.path))
        box.addItem(tr("My organizer rules"), [])
        for slug, title in watch_rules.presets():
            box.addItem(title, {"preset": slug})
        if isinstance(folder.rules, dict) and "rules" in folder.rules:
            box.addItem(tr("Rules from a file"), folder.rules)
        index = box.findData(folder.rules)
        box.setCurrentIndex(max(0, index))
        box.currentIndexChanged.connect(lambda _i, f=folder, b=box: self._save(f, rules=b.currentData()))
        return box

    def _item_changed(self, item: QTableWidgetItem) -> None:
        folder = self.folders[item.row()]
        checked = item.checkState() == Qt.CheckState.Checked
        if item.column() == 0:
            folder.enabled = checked
            db, folder_id = self.db, folder.id
            self._write(lambda: watched.set_enabled(db, folder_id, checked))
        elif item.column() == 4:
            self._save(folder, recursive=checked)

    def _save(self, folder: WatchedFolder, refresh: bool = False, **changes) -> None:
        for key, value in changes.items():
            setattr(folder, key, value)
        db, stored = self.db, replace(folder)   # the worker saves a copy the table cannot change
        self._write(lambda: watched.save(db, stored), refresh=refresh)

    def _write(self, fn: Callable[[], object], refresh: bool = False) -> None:
        """Store a change in a worker (after the ones before it); then tell the tray."""

        def done(_result) -> None:
            if refresh:
                self.refresh()
            self.on_changed()

        self.writes.run(fn, done)

    def _write_failed(self, message: str) -> None:
        text = tr("Could not save the change: {m}").format(m=message)
        QMessageBox.warning(self, tr("Watched folders"), text)
        self.refresh()                              # show what is stored

    def selected(self) -> WatchedFolder | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.folders[min(rows)] if rows else None

    # --- buttons ------------------------------------------------------------------------------

    def add_folder(self, path: str, rules=None, dest: str | None = None) -> None:
        """Watch ``path`` (by default sorting by category into the folder itself)."""
        folder = WatchedFolder(path, rules if rules is not None else {"preset": "by-category"}, dest)
        db = self.db
        self._write(lambda: watched.save(db, folder), refresh=True)

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Folder to watch"), os.path.expanduser("~"))
        if path:
            self.add_folder(path)

    def choose_dest(self) -> None:
        folder = self.selected()
        if folder is None:
            return
        path = QFileDialog.getExistingDirectory(self, tr("Where organized files go"), folder.target)
        if path:
            self._save(folder, refresh=True, dest=path)

    def remove_selected(self) -> None:
        folder = self.selected()
        if folder is None:
            return
        if (
            QMessageBox.question(
                self,
                tr("Stop watching?"),
                tr("Stop watching {p}? Files already organized stay where they are.").format(p=folder.path),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        db, folder_id = self.db, folder.id
        self._write(lambda: watched.remove(db, folder_id), refresh=True)

    def _show_settle(self, seconds: float) -> None:
        self.settle.setValue(seconds)
        self._settle_read = True

    def _save_settle(self) -> None:
        if not self._settle_read:
            return
        db, seconds = self.db, self.settle.value()
        self._write(lambda: watched.set_settle_seconds(db, seconds))


def _reload_tray() -> None:
    tray = QCoreApplication.instance().property("fo_tray")
    if tray is not None and hasattr(tray, "reload"):
        tray.reload()


class WatcherSettings(QWidget):
    """For the Settings view: "Start at login" and a button to the Watched folders dialog.
    ``jobs``: the window's job manager (without one it makes its own)."""

    def __init__(self, db, parent: QWidget | None = None, jobs: JobManager | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.dialog: WatchDialog | None = None
        self.writes = WriteQueue(jobs, "watched-summary", parent=self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.login = LoginCheckBox(tr("Start at login (in the tray)"))
        lay.addWidget(self.login)
        row = QHBoxLayout()
        self.summary = QLabel()
        self._show_summary()
        row.addWidget(self.summary, 1)
        self.button = QPushButton(tr("Watched folders…"))
        self.button.clicked.connect(self.open_dialog)
        row.addWidget(self.button)
        lay.addLayout(row)

    def open_dialog(self) -> WatchDialog:
        if self.dialog is None:
            self.dialog = WatchDialog(self.db, on_changed=self._changed, parent=self.window(),
                                      jobs=self.writes.jobs)
            self.dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _changed(self) -> None:
        _reload_tray()
        self._show_summary()
        self.login.sync()

    def _show_summary(self) -> None:
        db = self.db
        self.writes.run(lambda: len(watched.folders(db, enabled_only=True)), self._summarize)

    def _summarize(self, count: int) -> None:
        folders = fmt.plural(count, tr("folder"), tr("folders"))
        self.summary.setText(tr("Watching {folders}").format(folders=folders) if count
                             else tr("No folders are watched"))
