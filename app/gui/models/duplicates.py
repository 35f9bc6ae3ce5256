"""The duplicate groups as a two-level tree model: groups, then their files.

Built for 100,000+ groups: the model holds the engine's group list plus a list of visible
group numbers (after filtering), and creates indexes on demand (internalId 0 for a group row,
group row + 1 for a file row), so no Python object exists per row. Check marks are a set of
paths: a checked file is one the action will remove or replace.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.gui import fmt, theme

COLUMNS = ("Name", "Size", "Modified", "Folder")
NAME, SIZE, MODIFIED, FOLDER = range(4)


def tr(text: str) -> str:
    return QCoreApplication.translate("DuplicatesModel", text)


class DuplicatesModel(QAbstractItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.groups: list = []           # DuplicateGroup-like: .size, .hash, .files, .reclaimable, .copies
        self.visible: list[int] = []     # indexes into self.groups, in display order
        self.marked: set[str] = set()    # paths checked for the action
        self.kept: dict[int, str] = {}   # group number -> the path the keep policy kept
        self._bold = QFont()
        self._bold.setWeight(QFont.Weight.DemiBold)
        self.on_marks_changed: Callable[[], None] | None = None

    # ---- data in ---------------------------------------------------------------------------
    def set_groups(self, groups: list) -> None:
        self.beginResetModel()
        self.groups = list(groups)
        self.visible = list(range(len(self.groups)))
        self.marked = set()
        self.kept = {}
        self.endResetModel()
        self._changed()

    def set_visible(self, visible: list[int]) -> None:
        self.beginResetModel()
        self.visible = visible
        self.endResetModel()

    def set_marks(self, marked: set[str], kept: dict[int, str]) -> None:
        self.marked = marked
        self.kept = kept
        if self.visible:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.visible) - 1, len(COLUMNS) - 1))
        self.layoutChanged.emit()       # refreshes the expanded file rows too
        self._changed()

    def remove_paths(self, paths: Iterable[str]) -> None:
        """Drop files that were acted on; groups left with one file on disk disappear."""
        gone = set(paths)
        if not gone:
            return
        self.beginResetModel()
        keep_groups = []
        for group in self.groups:
            files = [f for f in group.files if f.path not in gone]
            if len(files) != len(group.files):
                group.files = files
            if len({(f.dev, f.inode) for f in group.files}) >= 2:
                keep_groups.append(group)
        self.groups = keep_groups
        self.visible = list(range(len(self.groups)))
        self.marked -= gone
        self.kept = {}
        self.endResetModel()
        self._changed()

    def _changed(self) -> None:
        if self.on_marks_changed:
            self.on_marks_changed()

    # ---- selection summary ---------------------------------------------------------------
    def marked_files(self) -> list[tuple[object, object]]:
        """(group, file) for each checked file, in group order."""
        out = []
        if not self.marked:
            return out
        for group in self.groups:
            for f in group.files:
                if f.path in self.marked:
                    out.append((group, f))
        return out

    def marked_bytes(self) -> int:
        return sum(f.size for _g, f in self.marked_files())

    def group_at(self, index: QModelIndex):
        if not index.isValid():
            return None
        gid = index.internalId()
        row = index.row() if gid == 0 else gid - 1
        return self.groups[self.visible[row]] if row < len(self.visible) else None

    def file_at(self, index: QModelIndex):
        if not index.isValid() or index.internalId() == 0:
            return None
        group = self.group_at(index)
        return group.files[index.row()] if group and index.row() < len(group.files) else None

    # ---- Qt model --------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if parent.isValid():
            if parent.internalId() != 0:
                return QModelIndex()
            return self.createIndex(row, column, parent.row() + 1)
        if 0 <= row < len(self.visible):
            return self.createIndex(row, column, 0)
        return QModelIndex()

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self.visible)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[self.visible[parent.row()]].files)
        return 0

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        if not parent.isValid():
            return bool(self.visible)
        return parent.internalId() == 0 and parent.column() == 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(COLUMNS[section])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == NAME:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = index.column()
        if index.internalId() == 0:
            return self._group_data(self.visible[index.row()], col, role)
        gnum = self.visible[index.internalId() - 1]
        group = self.groups[gnum]
        if index.row() >= len(group.files):
            return None
        return self._file_data(gnum, group.files[index.row()], col, role)

    def _group_data(self, gnum: int, col: int, role: int):
        group = self.groups[gnum]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == NAME:
                name = os.path.basename(group.files[0].path) if group.files else ""
                return tr("{name}  ·  {n} copies").format(name=name, n=group.copies)
            if col == SIZE:
                return tr("{size} to free").format(size=fmt.size(group.reclaimable))
            if col == MODIFIED:
                return tr("{size} each").format(size=fmt.size(group.size))
            if col == FOLDER:
                folders = {os.path.dirname(f.path) for f in group.files}
                return next(iter(folders)) if len(folders) == 1 else tr("{n} folders").format(n=len(folders))
        if role == Qt.ItemDataRole.CheckStateRole and col == NAME:
            n = sum(1 for f in group.files if f.path in self.marked)
            if n == 0:
                return Qt.CheckState.Unchecked
            return Qt.CheckState.Checked if n == len(group.files) else Qt.CheckState.PartiallyChecked
        if role == Qt.ItemDataRole.FontRole and col in (NAME, SIZE):
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and col == NAME:
            return theme.icon("duplicates")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == NAME:
            return tr("Content hash {h}").format(h=group.hash[:16])
        return None

    def _file_data(self, gnum: int, f, col: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            if col == NAME:
                name = os.path.basename(f.path)
                if self.kept.get(gnum) == f.path:
                    return tr("{name}  (keep)").format(name=name)
                return name
            if col == SIZE:
                return fmt.size(f.size)
            if col == MODIFIED:
                return datetime.fromtimestamp(f.mtime_ns / 1e9).strftime("%Y-%m-%d %H:%M")
            if col == FOLDER:
                return os.path.dirname(f.path)
        if role == Qt.ItemDataRole.CheckStateRole and col == NAME:
            return Qt.CheckState.Checked if f.path in self.marked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            extra = tr(" (hard link of another copy)") if getattr(f, "hardlinked", False) else ""
            return f.path + extra
        if role == Qt.ItemDataRole.ForegroundRole and f.path in self.marked:
            return theme.palette_color("danger")
        if role == Qt.ItemDataRole.ForegroundRole and self.kept.get(gnum) == f.path:
            return theme.palette_color("ok")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == NAME:
            return theme.icon("file")
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != NAME:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        group = self.group_at(index)
        if index.internalId() == 0:
            paths = [f.path for f in group.files]
            if checked:   # all but one: never offer to remove every copy
                keep = self.kept.get(self.visible[index.row()]) or paths[0]
                self.marked.update(p for p in paths if p != keep)
            else:
                self.marked.difference_update(paths)
            parent = index
        else:
            path = group.files[index.row()].path
            if checked:
                others = [f.path for f in group.files if f.path != path]
                if all(p in self.marked for p in others):
                    return False        # the last unchecked copy stays
                self.marked.add(path)
            else:
                self.marked.discard(path)
            parent = index.parent()
        self.dataChanged.emit(parent.siblingAtColumn(0), parent.siblingAtColumn(len(COLUMNS) - 1))
        n = len(group.files)
        if n:
            self.dataChanged.emit(self.index(0, 0, parent), self.index(n - 1, len(COLUMNS) - 1, parent))
        self._changed()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        keys = {
            NAME: lambda g: os.path.basename(g.files[0].path).lower() if g.files else "",
            SIZE: lambda g: g.reclaimable,
            MODIFIED: lambda g: g.size,
            FOLDER: lambda g: os.path.dirname(g.files[0].path) if g.files else "",
        }
        key = keys[column]
        self.layoutAboutToBeChanged.emit()
        self.visible.sort(key=lambda i: key(self.groups[i]), reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()
