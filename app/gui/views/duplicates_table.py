"""The table of duplicate groups: layout of the columns, sorting by header click, expanding a
group with its arrow or a double click, opening or revealing a file from the context menu."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView, QWidget

from app.gui.models.duplicates import ARROW, MODIFIED, NAME, SIZE, DuplicatesModel


def tr(text: str) -> str:
    return QCoreApplication.translate("Duplicates", text)


class DuplicatesTable(QTableView):
    """A flat QTableView over a DuplicatesModel (only the rows on screen are ever asked for)."""

    def __init__(self, model: DuplicatesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dup_model = model
        self.setModel(model)
        self.setAlternatingRowColors(False)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setAccessibleName(tr("Duplicate groups"))
        self.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.setTextElideMode(Qt.TextElideMode.ElideLeft)  # paths: the file name stays visible
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.clicked.connect(self._clicked)
        self.doubleClicked.connect(self._double_clicked)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(26)
        header = self.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._sort)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(ARROW, QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(ARROW, 28)
        self.setColumnWidth(NAME, 330)
        self.setColumnWidth(SIZE, 140)
        self.setColumnWidth(MODIFIED, 140)
        header.setSortIndicator(SIZE, Qt.SortOrder.DescendingOrder)

    def _sort(self, column: int) -> None:
        order = self.horizontalHeader().sortIndicatorOrder()
        self.dup_model.sort(column, order)

    def _clicked(self, index) -> None:
        if index.column() == ARROW and self.dup_model.is_group_row(index.row()):
            self.dup_model.toggle(index.row())

    def _double_clicked(self, index) -> None:
        if self.dup_model.is_group_row(index.row()):
            self.dup_model.toggle(index.row())
        elif (f := self.dup_model.file_at(index)) is not None:
            open_path(f.path)

    def _context_menu(self, pos) -> None:
        f = self.dup_model.file_at(self.indexAt(pos))
        if f is None:
            return
        menu = QMenu(self)
        menu.addAction(tr("Reveal in file manager"), lambda: reveal(f.path))
        menu.addAction(tr("Open"), lambda: open_path(f.path))
        menu.exec(self.viewport().mapToGlobal(pos))


def reveal(path: str) -> None:
    from app.gui.desktop import reveal_in_file_manager

    reveal_in_file_manager(path)


def open_path(path: str) -> None:
    from app.gui.desktop import open_file

    open_file(path)
