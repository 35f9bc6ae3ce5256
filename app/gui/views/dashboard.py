"""Dashboard: cards for files, size, reclaimable space and last scan; charts by category and age;
largest files and folders; recent activity. Clicking a category, an age or a folder filters the
lists. Before the first folder is added it is one big drop zone."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.report.model import AGE_BUCKETS
from app.core.report.style import category_color
from app.gui import fmt
from app.gui.charts import Bar, BarChart, ColumnChart
from app.gui.flow import ColumnsLayout
from app.gui.folder_list import FolderList
from app.gui.models.rows import Column, RowsModel
from app.gui.session import Session
from app.gui.widgets import Banner, Card, EmptyState, PageHeader, StatCard, button, label, table
from app.jobs.dashboard import DashboardData, load_dashboard

CATEGORY_LABELS = {
    "documents": "Documents",
    "images": "Images",
    "audio": "Audio",
    "video": "Video",
    "archives": "Archives",
    "code": "Code",
    "installers": "Installers",
    "other": "Other",
}
SOURCE_LABELS = {"duplicates": "Duplicates", "organizer": "Organizer", "watcher": "Watcher", "undo": "Undo"}


def tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


class DashboardView(QWidget):
    navigate = Signal(str)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.data = DashboardData()
        self.filter_category: str | None = None
        self.filter_folder: str | None = None
        self.filter_age: str | None = None
        self._dirty = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)

        add = button(tr("Add folder…"), "folder-add", primary=True)
        add.clicked.connect(self._add_folder)
        self.empty = EmptyState(
            "drop",
            tr("Drop folders here to start"),
            tr(
                "Drag one or more folders from your file manager onto this window, "
                "or choose one with Add folder. FileOrganizer Pro scans them, shows "
                "where the space goes and finds duplicate files. Nothing is changed "
                "until you say so."
            ),
            add,
        )
        self.empty.setObjectName("DropZone")
        self.empty.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        holder = QWidget()
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(40, 40, 40, 40)
        hl.addWidget(self.empty)
        self.pages.addWidget(holder)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # the cards reflow into fewer columns instead: the page never scrolls sideways
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("ScrollContent")
        scroll.setWidget(content)
        self.pages.addWidget(scroll)
        self._build(content)

        session.index_changed.connect(self._mark_dirty)
        session.folders_changed.connect(self._mark_dirty)
        session.folders_changed.connect(self.show_gone_folders)
        session.scan_finished.connect(self._scanned)
        session.history_changed.connect(self._mark_dirty)
        session.jobs.finished.connect(self._job_finished)
        self._show_page()

    # ---- layout ----------------------------------------------------------------------------
    def _build(self, content: QWidget) -> None:
        lay = QVBoxLayout(content)
        lay.setContentsMargins(20, 18, 20, 18)
        lay.setSpacing(16)
        self.header = PageHeader(tr("Dashboard"), "")
        lay.addWidget(self.header)
        self.gone_banner = Banner(error=True)  # scanned folders deleted from disk
        self.gone_banner.setAccessibleName(tr("Folders gone from disk"))
        lay.addWidget(self.gone_banner)

        cards_box = QWidget()
        cards = ColumnsLayout(cards_box, min_width=190, columns=4)
        self.card_files = StatCard(tr("Files"), "file")
        self.card_size = StatCard(tr("Total size"), "folder")
        self.card_dupes = StatCard(tr("Reclaimable duplicates"), "duplicates")
        self.card_dupes.setToolTip(tr("Open Duplicates"))
        self.card_dupes.setCursor(Qt.CursorShape.PointingHandCursor)
        self.card_dupes.clicked.connect(lambda: self.navigate.emit("duplicates"))
        self.card_scan = StatCard(tr("Last scan"), "history")
        for card in (self.card_files, self.card_size, self.card_dupes, self.card_scan):
            cards.add(card)
        lay.addWidget(cards_box)

        grid_box = QWidget()
        grid = ColumnsLayout(grid_box, min_width=330, columns=2)  # in this order, in one column too
        cat_card = Card()
        cat_card.body.addWidget(label(tr("Space by category"), "SectionTitle"))
        cat_card.body.addWidget(label(tr("Click a category to filter the lists below."), "Muted"))
        self.cat_chart = BarChart()
        self.cat_chart.setAccessibleName(tr("Space by category"))
        self.cat_chart.clicked.connect(self._on_category)
        cat_card.body.addWidget(self.cat_chart)
        cat_card.body.addStretch(1)
        grid.add(cat_card)
        age_card = Card()
        age_card.body.addWidget(label(tr("Age of files (last modified)"), "SectionTitle"))
        age_card.body.addWidget(label(tr("Size of the files in each age range."), "Muted"))
        self.age_chart = ColumnChart()
        self.age_chart.setAccessibleName(tr("Space by age"))
        self.age_chart.clicked.connect(self._on_age)
        age_card.body.addWidget(self.age_chart, 1)
        grid.add(age_card)

        files_card = Card()
        head = QHBoxLayout()
        head.addWidget(label(tr("Largest files"), "SectionTitle"), 1)
        self.filter_label = label("", "Muted")
        head.addWidget(self.filter_label)
        self.clear_filter = button(tr("Clear filter"), flat=True)
        self.clear_filter.clicked.connect(self._clear_filters)
        self.clear_filter.hide()
        head.addWidget(self.clear_filter)
        files_card.body.addLayout(head)
        self.files_model = RowsModel(
            [
                Column(tr("Name"), lambda r: os.path.basename(r[0]), tooltip=lambda r: r[0]),
                Column(tr("Size"), lambda r: fmt.size(r[1]), sort=lambda r: r[1], align_right=True),
                Column(tr("Folder"), lambda r: self._short(os.path.dirname(r[0])), tooltip=lambda r: r[0]),
            ]
        )
        self.files_view = table(self.files_model, stretch=2, name=tr("Largest files"))
        self.files_view.setMinimumHeight(230)
        self.files_view.setColumnWidth(0, 170)
        self.files_view.setColumnWidth(1, 90)
        self.files_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        files_card.body.addWidget(self.files_view)
        grid.add(files_card)

        folders_card = Card()
        folders_card.body.addWidget(label(tr("Largest folders"), "SectionTitle"))
        self.folders_model = RowsModel(
            [
                Column(tr("Folder"), lambda r: self._short(r[0]), tooltip=lambda r: r[0]),
                Column(tr("Size"), lambda r: fmt.size(r[1]), sort=lambda r: r[1], align_right=True),
                Column(tr("Files"), lambda r: fmt.count(r[2]), sort=lambda r: r[2], align_right=True),
            ]
        )
        self.folders_view = table(self.folders_model, stretch=0, name=tr("Largest folders"))
        self.folders_view.setMinimumHeight(230)
        self.folders_view.setColumnWidth(1, 90)
        self.folders_view.setColumnWidth(2, 70)
        self.folders_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.folders_view.clicked.connect(self._on_folder)
        self.folders_view.setToolTip(tr("Click a folder to list its largest files"))
        folders_card.body.addWidget(self.folders_view)
        grid.add(folders_card)

        roots_card = Card()
        roots_card.body.addWidget(label(tr("Scanned folders"), "SectionTitle"))
        self.folder_list = FolderList(self.session, compact=True)
        self.folder_list.add_requested.connect(self._add_folder)
        roots_card.body.addWidget(self.folder_list)
        grid.add(roots_card)

        activity_card = Card()
        activity_card.body.addWidget(label(tr("Recent activity"), "SectionTitle"))
        self.activity_model = RowsModel(
            [
                Column(tr("When"), lambda e: fmt.ago(e.started_at), sort=lambda e: e.started_at),
                Column(
                    tr("What"),
                    lambda e: e.title or tr(SOURCE_LABELS.get(e.source, e.source)),
                    tooltip=lambda e: e.title,
                ),
                Column(tr("Files"), lambda e: fmt.count(e.done_count), align_right=True),
                Column(tr("Size"), lambda e: fmt.size(e.bytes), align_right=True),
            ]
        )
        self.activity_view = table(self.activity_model, stretch=1, sortable=False, name=tr("Recent activity"))
        self.activity_view.setMinimumHeight(140)
        self.activity_empty = label(
            tr(
                "Nothing changed yet. Actions on duplicates and the organizer "
                "show up here, each with an Undo in History."
            ),
            "Muted",
            wrap=True,
        )
        activity_card.body.addWidget(self.activity_view)
        activity_card.body.addWidget(self.activity_empty)
        grid.add(activity_card)
        lay.addWidget(grid_box)
        lay.addStretch(1)

    def _short(self, path: str) -> str:
        return fmt.short_path(path, self.session.folders())

    # ---- data ------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self._dirty = True
        self._show_page()
        if self.isVisible():
            self.reload()

    def on_shown(self) -> None:
        self._show_page()
        if self._dirty:
            self.reload()

    def _show_page(self) -> None:
        self.pages.setCurrentIndex(1 if self.session.folders() else 0)

    def reload(self) -> None:
        folders = self.session.folders()
        if not folders:
            return
        self._dirty = False
        db, cat, folder, age = self.session.db, self.filter_category, self.filter_folder, self.filter_age
        started = self.session.jobs.start(
            "dashboard",
            lambda progress: load_dashboard(
                db, folders, category=cat, folder=folder, age=age, progress=progress
            ),
            label=tr("Loading dashboard"),
            on_result=self._loaded,
            quiet=True,
        )
        if started is None:
            self._dirty = True  # a load is running; load again when it is done

    def _job_finished(self, kind: str) -> None:
        if kind == "dashboard" and self._dirty and self.isVisible():
            self.reload()

    def show_gone_folders(self) -> None:
        """Name the scanned folders deleted from disk and offer to forget them: until then their
        files stay in the index and in the totals here, while a scan no longer sees them."""
        gone = self.session.missing_folders()
        if not gone:
            self.gone_banner.hide()
            return
        if len(gone) == 1:
            text = tr(
                "The scanned folder {path} is gone from disk. "
                "Its files still count here until you forget it."
            )
            self.gone_banner.show_message(text.format(path=gone[0]), tr("Forget it"), self._forget_gone)
        else:
            text = tr(
                "{n} scanned folders are gone from disk: {paths}. "
                "Their files still count here until you forget them."
            )
            self.gone_banner.show_message(
                text.format(n=len(gone), paths=", ".join(gone)), tr("Forget them"), self._forget_gone
            )

    def _scanned(self, _result) -> None:
        self.show_gone_folders()

    def _forget_gone(self) -> None:
        for path in self.session.missing_folders():
            self.session.remove_folder(path)
        self.gone_banner.hide()

    def _loaded(self, data: DashboardData) -> None:
        self.data = data
        self.show_gone_folders()
        n = len(self.session.folders())
        self.header.subtitle.setText(
            tr("Where the space goes in {folders}.").format(
                folders=fmt.plural(n, tr("scanned folder"), tr("scanned folders"))
            )
        )
        folders = fmt.plural(data.folders, tr("folder"), tr("folders"))
        self.card_files.set(fmt.count(data.files), tr("in {folders}").format(folders=folders))
        self.card_size.set(
            fmt.size(data.bytes),
            fmt.plural(len(data.by_category), tr("category"), tr("categories")),
        )
        if data.dup_groups:
            self.card_dupes.set(
                fmt.size(data.reclaimable),
                tr("{f} extra copies in {g} groups").format(
                    f=fmt.count(data.dup_files), g=fmt.count(data.dup_groups)
                ),
            )
        else:
            self.card_dupes.set(fmt.size(0), tr("No duplicates found"))
        self.card_scan.set(
            fmt.ago(data.last_scan), fmt.date(data.last_scan) if data.last_scan else tr("Press Scan now")
        )
        self.cat_chart.set_bars(
            [
                Bar(
                    cat,
                    tr(CATEGORY_LABELS[cat]) if cat in CATEGORY_LABELS else cat,   # custom: as named
                    size,
                    f"{fmt.size(size)} · {fmt.count(files)}",
                    category_color(cat),      # the colour it has in Settings and in the report
                )
                for cat, files, size in data.by_category
            ]
        )
        self.cat_chart.selected = self.filter_category
        self.age_chart.set_bars(
            [Bar(key, tr(lab), size, fmt.size(size)) for key, lab, _n, size in data.by_age]
        )
        self.files_model.set_rows(data.largest_files)
        self.folders_model.set_rows(data.largest_folders)
        self.activity_model.set_rows(data.activity)
        self.activity_view.setVisible(bool(data.activity))
        self.activity_empty.setVisible(not data.activity)
        self._update_filter_label()

    # ---- filters ---------------------------------------------------------------------------
    def _on_category(self, key: str) -> None:
        self.filter_category = key or None
        self.reload()

    def _on_age(self, key: str) -> None:
        self.filter_age = key or None
        self.reload()

    def _on_folder(self, index) -> None:
        row = self.folders_model.row(index)
        if row:
            self.filter_folder = None if self.filter_folder == row[0] else row[0]
            self.reload()

    def _clear_filters(self) -> None:
        self.filter_category = self.filter_folder = self.filter_age = None
        self.cat_chart.selected = None
        self.age_chart.selected = None
        self.reload()

    def _update_filter_label(self) -> None:
        parts = []
        if self.filter_category:
            parts.append(tr(CATEGORY_LABELS.get(self.filter_category, self.filter_category)))
        if self.filter_age:
            parts.append(tr({k: lab for k, lab, _ in AGE_BUCKETS}[self.filter_age]))
        if self.filter_folder:
            parts.append(self._short(self.filter_folder))
        self.filter_label.setText(tr("Showing: {f}").format(f=", ".join(parts)) if parts else "")
        self.clear_filter.setVisible(bool(parts))

    # ---- misc ------------------------------------------------------------------------------
    def _add_folder(self) -> None:
        self.window().choose_folder()

    def set_drop_active(self, active: bool) -> None:
        self.empty.setProperty("active", active)
        self.empty.style().unpolish(self.empty)
        self.empty.style().polish(self.empty)

    def refresh_theme(self) -> None:
        for card in (self.card_files, self.card_size, self.card_dupes, self.card_scan):
            card.refresh_icon()
        self.empty.refresh_icon()
        self.folder_list.reload()
        self.cat_chart.update()
        self.age_chart.update()
