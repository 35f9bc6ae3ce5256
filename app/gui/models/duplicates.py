"""The duplicate groups as one flat table: a header row per group, then its files when expanded.

Built for 100,000+ groups. A QTreeView lays out every top-level row through Python calls
(index, flags, hasChildren), which takes seconds at that size; a QTableView over a flat model
only asks for the rows on screen. The model keeps the engine's group list, the visible group
numbers (after filtering) and the first row of each visible group (a running sum, rebuilt in
C by itertools.accumulate); a row is found by bisecting it. Check marks are a set of paths:
a checked file is one the action will remove or replace.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import accumulate

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.gui import fmt, theme

COLUMNS = ("", "Name", "Size", "Modified", "Folder")
ARROW, NAME, SIZE, MODIFIED, FOLDER = range(5)
TIP_FOLDERS = 12  # folders a group's Folder tooltip lists before "and n more"
# Built once: enum arithmetic in Python is slow and flags() is asked often.
_PLAIN = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHECKABLE = _PLAIN | Qt.ItemFlag.ItemIsUserCheckable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
DISPLAY, CHECK, FONT, DECORATION, ALIGN, TOOLTIP, FOREGROUND, BACKGROUND = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole,
)


def tr(text: str) -> str:
    return QCoreApplication.translate("DuplicatesModel", text)


class DuplicatesModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.groups: list = []  # DuplicateGroup-like: .size, .hash, .files, .reclaimable, .copies
        self.visible: list[int] = []  # group numbers in display order
        self.collapsed: set[int] = set()  # group numbers shown as their header row only
        self.nfiles: list[int] = []  # files per group
        self.reclaim: list[int] = []  # reclaimable bytes per group (computed off the UI thread)
        self.starts: list[int] = [0]  # first row of each visible group, then the row count
        self.marked: set[str] = set()  # paths checked for the action
        self.kept: dict[int, str] = {}  # group number -> the path the keep policy kept
        self.folder_label: Callable[[str], str] = str  # how the Folder column spells a folder
        self.short_dates = False  # a narrow table: Modified shows the day, its tooltip the time
        self._bold = QFont()
        self._bold.setWeight(QFont.Weight.DemiBold)
        self.on_marks_changed: Callable[[], None] | None = None

    # ---- structure -------------------------------------------------------------------------
    def _rebuild(self) -> None:
        nfiles, collapsed = self.nfiles, self.collapsed
        if collapsed:
            sizes = [1 if g in collapsed else 1 + nfiles[g] for g in self.visible]
        else:
            sizes = [1 + nfiles[g] for g in self.visible]
        self.starts = list(accumulate(sizes, initial=0))

    def locate(self, row: int) -> tuple[int, int]:
        """(group number, file number or -1 for the group's header row) of a table row."""
        i = bisect_right(self.starts, row) - 1
        return self.visible[i], row - self.starts[i] - 1

    def _reset(self, change: Callable[[], None]) -> None:
        self.beginResetModel()
        change()
        self._rebuild()
        self.endResetModel()

    def set_groups(self, groups: list, reclaim: list[int] | None = None, expanded: bool = True) -> None:
        """Show ``groups``; ``reclaim`` (bytes per group) is computed here when not given."""

        def change() -> None:
            self.groups = list(groups)
            self.nfiles = [len(g.files) for g in self.groups]
            self.reclaim = list(reclaim) if reclaim is not None else [g.reclaimable for g in self.groups]
            self.visible = list(range(len(self.groups)))
            self.collapsed = set() if expanded else set(self.visible)
            self.marked = set()
            self.kept = {}

        self._reset(change)
        self._changed()

    def set_visible(self, visible: list[int]) -> None:
        if visible == self.visible:
            return
        self._reset(lambda: setattr(self, "visible", visible))

    def set_all_expanded(self, expanded: bool) -> None:
        self._reset(lambda: setattr(self, "collapsed", set() if expanded else set(range(len(self.groups)))))

    def toggle(self, row: int) -> None:
        """Expand or collapse the group of ``row``."""
        if not 0 <= row < self.starts[-1]:
            return
        g = self.locate(row)[0]
        self._reset(lambda: self.collapsed.symmetric_difference_update({g}))

    def set_marks(self, marked: set[str], kept: dict[int, str]) -> None:
        self.marked = marked
        self.kept = kept
        if self.starts[-1]:
            self.dataChanged.emit(self.index(0, 0), self.index(self.starts[-1] - 1, len(COLUMNS) - 1))
        self._changed()

    def remove_paths(self, paths: Iterable[str]) -> None:
        """Drop files that were acted on; groups left with one file on disk disappear."""
        gone = set(paths)
        if not gone:
            return

        def change() -> None:
            kept_groups = []
            for group in self.groups:
                if any(f.path in gone for f in group.files):
                    group.files = [f for f in group.files if f.path not in gone]
                if len({(f.dev, f.inode) for f in group.files}) >= 2:
                    kept_groups.append(group)
            self.groups = kept_groups
            self.nfiles = [len(g.files) for g in self.groups]
            self.reclaim = [g.reclaimable for g in self.groups]
            self.visible = list(range(len(self.groups)))
            self.collapsed = set()
            # a check mark on a file whose group went away (its last copy) must not stay behind
            left = {f.path for g in self.groups for f in g.files}
            self.marked &= left
            self.kept = {}

        self._reset(change)
        self._changed()

    def _changed(self) -> None:
        if self.on_marks_changed:
            self.on_marks_changed()

    # ---- lookups ---------------------------------------------------------------------------
    def group_row(self, n: int) -> int:
        """Row of the header of the n-th visible group."""
        return self.starts[n]

    def group_count(self) -> int:
        return len(self.visible)

    def visible_reclaimable(self) -> int:
        reclaim = self.reclaim
        return sum(reclaim[g] for g in self.visible)

    def group_at(self, index: QModelIndex | int):
        row = index if isinstance(index, int) else index.row()
        return self.groups[self.locate(row)[0]] if 0 <= row < self.starts[-1] else None

    def file_at(self, index: QModelIndex | int):
        row = index if isinstance(index, int) else index.row()
        if not 0 <= row < self.starts[-1]:
            return None
        g, f = self.locate(row)
        return None if f < 0 else self.groups[g].files[f]

    def is_group_row(self, row: int) -> bool:
        return 0 <= row < self.starts[-1] and self.locate(row)[1] < 0

    # ---- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.starts[-1]

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            return tr(COLUMNS[section]) if COLUMNS[section] else ""
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        return _CHECKABLE if index.column() == NAME else _PLAIN

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY):
        row = index.row()
        if not index.isValid() or row >= self.starts[-1]:
            return None
        g, f = self.locate(row)
        if f < 0:
            return self._group_data(g, index.column(), role)
        return self._file_data(g, self.groups[g].files[f], index.column(), role)

    def _group_data(self, g: int, col: int, role: int):
        group = self.groups[g]
        if role == DISPLAY:
            if col == ARROW:
                return "▸" if g in self.collapsed else "▾"
            if col == NAME:
                name = os.path.basename(group.files[0].path) if group.files else ""
                copies, paths = group.copies, len(group.files)
                if paths != copies:  # hard links: one file on disk under several names
                    return tr("{name}  ·  {n} copies, {p} names").format(name=name, n=copies, p=paths)
                return tr("{name}  ·  {n} copies").format(name=name, n=copies)
            if col == SIZE:
                return tr("{size} to free").format(size=fmt.size(self.reclaim[g]))
            if col == MODIFIED:  # a narrow table leaves it out: each file's row has its size
                return "" if self.short_dates else tr("{size} each").format(size=fmt.size(group.size))
            if col == FOLDER:
                folders = {os.path.dirname(f.path) for f in group.files}
                if len(folders) == 1:
                    return self.folder_label(next(iter(folders)))
                return tr("in {n} folders").format(n=len(folders))
        elif role == CHECK and col == NAME:
            n = sum(1 for f in group.files if f.path in self.marked)
            if n == 0:
                return Qt.CheckState.Unchecked
            return Qt.CheckState.Checked if n == len(group.files) else Qt.CheckState.PartiallyChecked
        elif role == FONT and col != FOLDER:
            return self._bold
        elif role == BACKGROUND:
            return theme.palette_color("header")
        elif role == ALIGN:
            return _RIGHT if col == SIZE else (_CENTER if col == ARROW else None)
        elif role == TOOLTIP and col in (ARROW, NAME):
            return tr("Click the arrow to show or hide the copies. Content hash {h}").format(
                h=group.hash[:16]
            )
        elif role == TOOLTIP and col in (SIZE, MODIFIED):
            return tr("{copies} of {size} each").format(
                copies=fmt.plural(group.copies, tr("copy"), tr("copies")), size=fmt.size(group.size)
            )
        elif role == TOOLTIP and col == FOLDER:  # the whole paths the column may elide
            folders = sorted({os.path.dirname(f.path) for f in group.files})
            more = len(folders) - TIP_FOLDERS
            lines = folders[:TIP_FOLDERS] + ([tr("and {n} more").format(n=more)] if more > 0 else [])
            return "\n".join(lines)
        return None

    def set_short_dates(self, short: bool) -> None:
        """Modified as the day only (a narrow table) or with the time; the tooltip has both."""
        if short == self.short_dates:
            return
        self.short_dates = short
        if self.starts[-1]:
            self.dataChanged.emit(self.index(0, MODIFIED), self.index(self.starts[-1] - 1, MODIFIED))

    def _file_data(self, g: int, f, col: int, role: int):
        if role == DISPLAY:
            if col == NAME:
                name = os.path.basename(f.path)
                if self.kept.get(g) == f.path:
                    return tr("{name}  (keep)").format(name=name)
                if getattr(f, "hardlinked", False):
                    return tr("{name}  (hard link: same file as another row)").format(name=name)
                return name
            if col == SIZE:
                return fmt.size(f.size)
            if col == MODIFIED:
                return _modified(f, "%Y-%m-%d" if self.short_dates else "%Y-%m-%d %H:%M")
            if col == FOLDER:
                return self.folder_label(os.path.dirname(f.path))
        elif role == CHECK and col == NAME:
            return Qt.CheckState.Checked if f.path in self.marked else Qt.CheckState.Unchecked
        elif role == TOOLTIP:
            extra = tr(" (hard link of another copy)") if getattr(f, "hardlinked", False) else ""
            if col == MODIFIED:
                when = _modified(f, "%Y-%m-%d %H:%M:%S")
                return tr("Modified {when}\n{path}").format(when=when, path=f.path)
            return f.path + extra
        elif role == FOREGROUND:
            if f.path in self.marked:
                return theme.palette_color("danger")
            if self.kept.get(g) == f.path:
                return theme.palette_color("ok")
        elif role == ALIGN and col == SIZE:
            return _RIGHT
        elif role == DECORATION and col == NAME:
            return theme.icon("file")
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != CHECK or not index.isValid() or index.column() != NAME:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        g, f = self.locate(index.row())
        group = self.groups[g]
        paths = [x.path for x in group.files]
        if f < 0:
            if checked:  # all but one: never offer to remove every copy (nor a link of it)
                keep = self.kept.get(g) or paths[0]
                self.marked.update(removable(group.files, keep))
            else:
                self.marked.difference_update(paths)
        else:
            path = paths[f]
            if checked:
                if all(p in self.marked for p in paths if p != path):
                    return False  # the last unchecked copy stays
                self.marked.add(path)
            else:
                self.marked.discard(path)
        self._group_changed(index.row())
        self._changed()
        return True

    def _group_changed(self, row: int) -> None:
        i = bisect_right(self.starts, row) - 1
        first, last = self.starts[i], self.starts[i + 1] - 1
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        keys = {
            NAME: lambda grp: os.path.basename(grp.files[0].path).lower() if grp.files else "",
            SIZE: None,
            MODIFIED: lambda grp: grp.size,
            FOLDER: lambda grp: os.path.dirname(grp.files[0].path) if grp.files else "",
        }
        key = keys.get(column)
        if key is None:
            return
        groups = self.groups
        self._reset(
            lambda: self.visible.sort(
                key=lambda i: key(groups[i]), reverse=order == Qt.SortOrder.DescendingOrder
            )
        )


def _modified(f, pattern: str) -> str:
    return datetime.fromtimestamp(f.mtime_ns / 1e9).strftime(pattern)


def removable(files: list, keep: str) -> list[str]:
    """Paths of ``files`` that removing would free space for: all but ``keep`` and its hard links
    (the same file on disk under another name; removing one frees nothing)."""
    kept = next(((f.dev, f.inode) for f in files if f.path == keep), None)
    return [f.path for f in files if f.path != keep and (f.dev, f.inode) != kept]
