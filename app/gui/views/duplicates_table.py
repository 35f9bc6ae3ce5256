"""The table of duplicate groups: layout of the columns, sorting by header click, expanding a
group with its arrow or a double click, opening or revealing a file from the context menu.

The columns fit the table's width at every window size from 800x600 up, with no sideways
scrolling: Size and Modified take what their text needs, Name what its text needs up to a share
of the width, and Folder the rest. A name elides in its middle (its extension and "(keep)"
stay), a folder on its left: rows of four files named "copyright" differ only by the end of
their folders, and that end is what shows. The tooltip has the whole path.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHeaderView, QMenu, QStyledItemDelegate, QTableView, QWidget

from app.gui.models.duplicates import ARROW, FOLDER, MODIFIED, NAME, SIZE, DuplicatesModel

ARROW_WIDTH = 28
NAME_MIN = 130  # px: a check box, an icon and "copyright" still read at 800x600
NAME_SHARE = 0.4  # the most of the table's width a long name takes; Folder gets the rest
FOLDER_SHARE = 0.3  # the least of it Folder keeps (a long name gives way down to NAME_MIN)
ELIDE = {NAME: Qt.TextElideMode.ElideMiddle, FOLDER: Qt.TextElideMode.ElideLeft}


def tr(text: str) -> str:
    return QCoreApplication.translate("Duplicates", text)


class ElidingDelegate(QStyledItemDelegate):
    """Elides each column where its distinguishing part survives (see ELIDE)."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 (Qt's name)
        super().initStyleOption(option, index)
        mode = ELIDE.get(index.column(), Qt.TextElideMode.ElideRight)
        if mode == Qt.TextElideMode.ElideMiddle and index.model().is_group_row(index.row()):
            mode = Qt.TextElideMode.ElideRight  # "copyright · 4…": the name before the count
        option.textElideMode = mode


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
        self.setItemDelegate(ElidingDelegate(self))
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
        header.setMinimumSectionSize(ARROW_WIDTH)
        self.setColumnWidth(ARROW, ARROW_WIDTH)
        header.setSortIndicator(SIZE, Qt.SortOrder.DescendingOrder)
        model.modelReset.connect(self.fit_columns)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Share the width out: Size and Modified as wide as their text (header and the rows on
        screen), Name as wide as its text up to NAME_SHARE of the width, Folder the rest (and
        at least FOLDER_SHARE, a long name giving way). Run on a resize and on new rows, never
        while a person drags a column wider (that may then scroll sideways, as they chose)."""
        header = self.horizontalHeader()
        width = self.viewport().width()
        if width <= 0:
            return
        on_screen = self._rows_on_screen()

        def need(column: int) -> int:
            # the rows on screen only: QTableView.sizeHintForColumn reads up to 1,000 rows through
            # the model and the delegate (1.7 s when the view first opened on 28,000 groups)
            model = self.dup_model
            return max([header.sectionSizeFromContents(column).width()]
                       + [self.sizeHintForIndex(model.index(row, column)).width() for row in on_screen])

        def measure() -> tuple[int, int, int]:
            size, modified = need(SIZE), need(MODIFIED)
            return size, modified, width - ARROW_WIDTH - size - modified

        self.dup_model.set_short_dates(False)
        size, modified, rest = measure()
        if rest - NAME_MIN < width * FOLDER_SHARE:  # no room for the time of day as well
            self.dup_model.set_short_dates(True)  # Modified shows the day, its tooltip the time
            size, modified, rest = measure()
        name = min(need(NAME), max(NAME_MIN, int(width * NAME_SHARE)))
        name = max(NAME_MIN, min(name, rest - int(width * FOLDER_SHARE)))
        for column, px in ((SIZE, size), (MODIFIED, modified), (NAME, name)):
            if header.sectionSize(column) != px:
                header.resizeSection(column, px)
        # Folder is the last section and stretches over what is left

    def _rows_on_screen(self) -> range:
        first = max(self.rowAt(0), 0)
        last = self.rowAt(self.viewport().height() - 1)
        if last < 0:            # fewer rows than fit, or not laid out yet: a screenful at most
            last = first + max(self.viewport().height() // self.verticalHeader().defaultSectionSize(), 1)
        return range(first, min(last + 1, self.dup_model.rowCount()))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)  # the viewport's resizes come here too (a scroll bar shows)
        self.fit_columns()

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
