"""The list of scanned folders with Add and Remove (used on the dashboard and in Settings)."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.gui import theme
from app.gui.session import Session
from app.gui.widgets import button


def tr(text: str) -> str:
    return QCoreApplication.translate("FolderList", text)


class FolderList(QWidget):
    add_requested = Signal()

    def __init__(self, session: Session, compact: bool = False) -> None:
        super().__init__()
        self.session = session
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Scanned folders"))
        self.list.setAlternatingRowColors(True)
        self.list.setMinimumHeight(90 if compact else 140)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add = button(tr("Add folder…"), "folder-add", tip=tr("Add a folder to scan (Ctrl+O)"))
        self.add.clicked.connect(self.add_requested)
        self.remove = button(tr("Remove"), "remove", tip=tr("Stop scanning the selected folder"))
        self.remove.clicked.connect(self._remove)
        self.remove.setEnabled(False)
        row.addWidget(self.add)
        row.addWidget(self.remove)
        row.addStretch(1)
        lay.addLayout(row)
        self.list.itemSelectionChanged.connect(
            lambda: self.remove.setEnabled(bool(self.list.selectedItems()))
        )
        session.folders_changed.connect(self.reload)
        session.scan_finished.connect(self._scanned)  # bound: disconnected when deleted
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for path in self.session.folders():
            if os.path.isdir(path):
                item = QListWidgetItem(theme.icon("folder"), path)
                item.setToolTip(path)
            else:
                text = tr("{path}  (gone from disk)").format(path=path)
                item = QListWidgetItem(theme.icon("warning"), text)
                item.setToolTip(tr("This folder no longer exists. Select it and press Remove to forget it."))
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.list.addItem(item)
        self.remove.setEnabled(False)

    def _scanned(self, _result) -> None:
        self.reload()  # a folder may be gone from disk now

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.session.remove_folder(item.data(Qt.ItemDataRole.UserRole))
