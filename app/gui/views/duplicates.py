"""Duplicates: groups (largest reclaimable first) expanding to their files; auto-select by keep
policy or by hand; move to trash, replace with hard links or move to a folder; confirm; result
with Undo. Filters by size, category, folder and name. Lazy model: smooth with 100,000 groups."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.gui import dup_actions, fmt
from app.gui.confirm import confirm_action
from app.gui.models.duplicates import ARROW, MODIFIED, NAME, SIZE, DuplicatesModel
from app.gui.session import Session
from app.gui.views.dashboard import CATEGORY_LABELS
from app.gui.widgets import Banner, EmptyState, PageHeader, button, label

POLICIES = (
    ("oldest", "Keep the oldest"),
    ("newest", "Keep the newest"),
    ("shortest-path", "Keep the shortest path"),
    ("reference", "Keep the copy in a reference folder…"),
)
SIZES = (
    (0, "Any size"),
    (100_000, "≥ 100 KB"),
    (1_000_000, "≥ 1 MB"),
    (10_000_000, "≥ 10 MB"),
    (100_000_000, "≥ 100 MB"),
)
ACT = "duplicates-act"


def tr(text: str) -> str:
    return QCoreApplication.translate("Duplicates", text)


class DuplicatesView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.model = DuplicatesModel(self)
        self.model.on_marks_changed = self._update_summary
        self.last_entry: int | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 22, 28, 16)
        lay.setSpacing(12)
        self.header = PageHeader(
            tr("Duplicates"),
            tr(
                "Files with identical content. Check the copies to "
                "remove; one copy of each group always stays."
            ),
        )
        lay.addWidget(self.header)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Filter by name or path (Ctrl+F)"))
        self.search.setAccessibleName(tr("Filter by name or path"))
        self.search.setClearButtonEnabled(True)
        filters.addWidget(self.search, 2)
        self.size_box = QComboBox()
        self.size_box.setAccessibleName(tr("Minimum size"))
        for value, text in SIZES:
            self.size_box.addItem(tr(text), value)
        filters.addWidget(self.size_box)
        self.cat_box = QComboBox()
        self.cat_box.setAccessibleName(tr("Category"))
        self.cat_box.addItem(tr("All categories"), "")
        for key, text in CATEGORY_LABELS.items():
            self.cat_box.addItem(tr(text), key)
        filters.addWidget(self.cat_box)
        self.folder_box = QComboBox()
        self.folder_box.setAccessibleName(tr("Folder"))
        self.folder_box.setMinimumWidth(160)
        filters.addWidget(self.folder_box, 1)
        lay.addLayout(filters)

        select_row = QHBoxLayout()
        select_row.setSpacing(8)
        select_row.addWidget(label(tr("Auto-select:"), "Muted"))
        self.policy_box = QComboBox()
        self.policy_box.setMinimumWidth(240)
        self.policy_box.setAccessibleName(tr("Keep policy"))
        for key, text in POLICIES:
            self.policy_box.addItem(tr(text), key)
        select_row.addWidget(self.policy_box)
        self.select_btn = button(
            tr("Select copies"),
            "select",
            tip=tr("Check every copy except the one the policy keeps (Ctrl+Shift+A)"),
        )
        self.select_btn.clicked.connect(self.auto_select)
        select_row.addWidget(self.select_btn)
        self.clear_btn = button(tr("Clear"), tip=tr("Uncheck everything"))
        self.clear_btn.clicked.connect(lambda: self.model.set_marks(set(), self.model.kept))
        select_row.addWidget(self.clear_btn)
        self.expand_btn = button(tr("Collapse all"), tip=tr("Show or hide the copies of every group"))
        self.expand_btn.clicked.connect(self._toggle_all)
        select_row.addWidget(self.expand_btn)
        select_row.addStretch(1)
        self.summary = label("", "Muted")
        self.summary.setAccessibleName(tr("Selection summary"))
        select_row.addWidget(self.summary)
        lay.addLayout(select_row)

        self.banner = Banner()
        lay.addWidget(self.banner)

        self.pages = QStackedWidget()
        scan = button(tr("Scan now"), "scan", primary=True)
        scan.clicked.connect(session.start_scan)
        self.empty = EmptyState(
            "duplicates",
            tr("No duplicates to show yet"),
            tr(
                "Add a folder (or drop one on the window) and scan it. Files with "
                "identical content show up here, largest savings first."
            ),
            scan,
        )
        self.pages.addWidget(self.empty)
        self.tree = QTableView()
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(False)
        self.tree.setShowGrid(False)
        self.tree.setWordWrap(False)
        self.tree.setCornerButtonEnabled(False)
        self.tree.setAccessibleName(tr("Duplicate groups"))
        self.tree.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.tree.setHorizontalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.clicked.connect(self._clicked)
        self.tree.doubleClicked.connect(self._double_clicked)
        rows = self.tree.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(26)
        header = self.tree.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._sort)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(ARROW, QHeaderView.ResizeMode.Fixed)
        self.tree.setColumnWidth(ARROW, 28)
        self.tree.setColumnWidth(NAME, 330)
        self.tree.setColumnWidth(SIZE, 140)
        self.tree.setColumnWidth(MODIFIED, 140)
        header.setSortIndicator(SIZE, Qt.SortOrder.DescendingOrder)
        self.pages.addWidget(self.tree)
        lay.addWidget(self.pages, 1)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.trash_btn = button(
            tr("Move to trash"),
            "trash",
            primary=True,
            tip=tr("Move the checked copies to the system trash (Del)"),
        )
        self.trash_btn.clicked.connect(lambda: self.act("trash"))
        self.link_btn = button(
            tr("Replace with hard links"), "link", tip=tr("Keep one copy on disk and point the others at it")
        )
        self.link_btn.clicked.connect(lambda: self.act("hardlink"))
        self.move_btn = button(tr("Move to folder…"), "move", tip=tr("Move the checked copies into a folder"))
        self.move_btn.clicked.connect(lambda: self.act("move"))
        self.delete_btn = button(
            tr("Delete permanently"), "trash", danger=True, tip=tr("Enabled in Settings; asks every time")
        )
        self.delete_btn.clicked.connect(lambda: self.act("delete"))
        for b in (self.trash_btn, self.link_btn, self.move_btn, self.delete_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        lay.addLayout(actions)

        # shortcuts of this page (a page's shortcuts are live only while it is shown)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, activated=self.auto_select)
        QShortcut(
            QKeySequence.StandardKey.Delete,
            self.tree,
            activated=lambda: self.act("trash"),
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self._filter_timer = QTimer(self, singleShot=True, interval=200, timeout=self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._filter_timer.start())
        for box in (self.size_box, self.cat_box, self.folder_box):
            box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        policy = session.prefs.get("keep_policy")
        self.policy_box.setCurrentIndex(max(0, self.policy_box.findData(policy)))
        self.policy_box.currentIndexChanged.connect(self._policy_changed)
        session.duplicates_ready.connect(self.set_result)
        session.folders_changed.connect(self._reload_folders)
        session.index_changed.connect(self._reload_categories)
        session.jobs.busy_changed.connect(lambda _b: self._update_summary())
        self._reload_folders()
        self._update_summary()

    # ---- data ------------------------------------------------------------------------------
    def set_result(self, result) -> None:
        """``result``: (groups, reclaimable bytes per group) from the scan, or a list of groups."""
        groups, reclaim = result if isinstance(result, tuple) else (result or [], None)
        self.model.set_groups(groups, reclaim)
        self.pages.setCurrentIndex(1 if groups else 0)
        if not groups and result is not None:
            self.empty.set_text(
                tr(
                    "Every file in your scanned folders is unique. Add more folders "
                    "or scan again after adding files."
                ),
                tr("No duplicates found"),
            )
        self.apply_filter()
        if groups:
            self.auto_select()

    def _reload_categories(self) -> None:
        """The built-in categories, then the custom ones in use (they change in Settings)."""
        from app.core.categories import custom_names

        custom = sorted(custom_names(), key=str.casefold)
        first = len(CATEGORY_LABELS) + 1
        if [self.cat_box.itemData(i) for i in range(first, self.cat_box.count())] == custom:
            return
        current = self.cat_box.currentData()
        self.cat_box.blockSignals(True)
        while self.cat_box.count() > first:
            self.cat_box.removeItem(self.cat_box.count() - 1)
        for name in custom:
            self.cat_box.addItem(name, name)
        self.cat_box.setCurrentIndex(max(0, self.cat_box.findData(current)))
        self.cat_box.blockSignals(False)
        if self.cat_box.currentData() != current:
            self.apply_filter()

    def on_shown(self) -> None:
        self._reload_categories()
        if (
            self.session.duplicates is None
            and self.session.folders()
            and not self.session.jobs.is_running("scan")
        ):
            self.empty.set_text(
                tr("Press Scan now to look for duplicates in your {n} folder(s).").format(
                    n=len(self.session.folders())
                )
            )

    def _reload_folders(self) -> None:
        current = self.folder_box.currentData()
        self.folder_box.blockSignals(True)
        self.folder_box.clear()
        self.folder_box.addItem(tr("All folders"), "")
        for f in self.session.folders():
            self.folder_box.addItem(os.path.basename(f) or f, f)
        self.folder_box.setCurrentIndex(max(0, self.folder_box.findData(current)))
        self.folder_box.blockSignals(False)

    def apply_filter(self) -> None:
        """Visible groups after the filters (name/path text, minimum size, category, folder)."""
        from app.core.categories import category_for

        text = self.search.text().strip().lower()
        min_size = self.size_box.currentData() or 0
        cat = self.cat_box.currentData() or ""
        folder = self.folder_box.currentData() or ""
        prefix = folder.rstrip(os.sep) + os.sep if folder else ""
        visible = []
        for i, g in enumerate(self.model.groups):
            if g.size < min_size:
                continue
            if cat and category_for(os.path.basename(g.files[0].path)) != cat:
                continue
            if prefix and not any(f.path.startswith(prefix) for f in g.files):
                continue
            if text and not any(text in f.path.lower() for f in g.files):
                continue
            visible.append(i)
        self.model.set_visible(visible)
        self._update_summary()

    # ---- selection -------------------------------------------------------------------------
    def _policy_changed(self) -> None:
        key = self.policy_box.currentData()
        if key == "reference":
            folder = QFileDialog.getExistingDirectory(
                self,
                tr("Reference folder: copies inside it are kept"),
                self.session.prefs.get("reference_folder") or "",
            )
            if not folder:
                self.policy_box.setCurrentIndex(0)
                return
            self.session.prefs.set("reference_folder", folder)
        self.session.prefs.set("keep_policy", key)
        self.auto_select()

    def auto_select(self) -> None:
        """Check every copy but the kept one in the visible groups (in a worker for big lists)."""
        if not self.model.groups:
            return
        groups = self.model.groups
        visible = list(self.model.visible)
        criteria, roots = dup_actions.policy_for(
            self.policy_box.currentData(), self.session.prefs.get("reference_folder")
        )

        def run(progress):
            from app.core.keep import choose_keep

            progress.stage("select", total=len(visible))
            marked, kept = set(), {}
            for n, i in enumerate(visible):
                files = groups[i].files
                keep = choose_keep(files, criteria, roots)
                kept[i] = keep.path
                marked.update(f.path for f in files if f.path != keep.path)
                if n % 1000 == 0:
                    progress.check()
                    progress.advance(1000)
            return marked, kept

        self.session.jobs.start(
            "select",
            run,
            label=tr("Selecting copies"),
            on_result=lambda r: self.model.set_marks(*r),
            quiet=True,
        )

    def _update_summary(self) -> None:
        groups = len(self.model.visible)
        total = len(self.model.groups)
        reclaim = self.model.visible_reclaimable()
        marked = len(self.model.marked)
        text = tr("{g} groups · {r} to free").format(g=fmt.count(groups), r=fmt.size(reclaim))
        if groups != total:
            text = tr("{g} of {t} groups · {r} to free").format(
                g=fmt.count(groups), t=fmt.count(total), r=fmt.size(reclaim)
            )
        if marked:
            text += tr("  ·  {n} checked").format(n=fmt.count(marked))
        self.summary.setText(text)
        busy = self.session.jobs.is_running(ACT) or self.session.jobs.is_running("scan")
        for b in (self.trash_btn, self.link_btn, self.move_btn, self.delete_btn):
            b.setEnabled(bool(marked) and not busy)
        self.delete_btn.setVisible(bool(self.session.prefs.get("permanent_delete")))
        self.select_btn.setEnabled(bool(self.model.groups))
        self.clear_btn.setEnabled(bool(marked))

    def _sort(self, column: int) -> None:
        order = self.tree.horizontalHeader().sortIndicatorOrder()
        self.model.sort(column, order)

    def _clicked(self, index) -> None:
        if index.column() == ARROW and self.model.is_group_row(index.row()):
            self.model.toggle(index.row())

    def _double_clicked(self, index) -> None:
        if self.model.is_group_row(index.row()):
            self.model.toggle(index.row())
        elif (f := self.model.file_at(index)) is not None:
            open_path(f.path)

    def _toggle_all(self) -> None:
        expand = bool(self.model.collapsed)
        self.model.set_all_expanded(expand)
        self.expand_btn.setText(tr("Collapse all") if expand else tr("Expand all"))

    def _context_menu(self, pos) -> None:
        index = self.tree.indexAt(pos)
        f = self.model.file_at(index)
        if f is None:
            return
        menu = QMenu(self)
        menu.addAction(tr("Reveal in file manager"), lambda: reveal(f.path))
        menu.addAction(tr("Open"), lambda: open_path(f.path))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    # ---- actions ---------------------------------------------------------------------------
    def act(self, action: str) -> None:
        sel = dup_actions.selection(self.model.groups, self.model.marked, self.model.kept)
        if not len(sel) or self.session.jobs.is_running(ACT):
            return
        dest = None
        if action == "move":
            dest = QFileDialog.getExistingDirectory(self, tr("Move the checked copies to…"))
            if not dest:
                return
        if not confirm_action(self, action, [f.path for _g, f, _k in sel.items], sel.bytes, dest):
            return
        plan = dup_actions.build_plan(sel, action, dest, self.policy_box.currentData())
        db = self.session.db
        self.banner.hide()
        self.session.jobs.start(
            ACT,
            lambda progress: dup_actions.run_plan(db, plan, progress),
            label=plan.title,
            on_result=lambda r: self._acted(r, action),
            on_error=lambda m, _tb: self.banner.show_message(tr("Failed: {m}").format(m=m)),
        )

    def _acted(self, result, action: str) -> None:
        done_paths = [r.op.src for r in result.records if r.state == "done"]
        self.model.remove_paths(done_paths)
        self.pages.setCurrentIndex(1 if self.model.groups else 0)
        verbs = {
            "trash": tr("moved to the trash"),
            "hardlink": tr("replaced with hard links"),
            "move": tr("moved"),
            "delete": tr("deleted"),
        }
        text = tr("{n} file(s) {verb}, {b} freed.").format(
            n=result.done, verb=verbs[action], b=fmt.size(result.bytes_done)
        )
        problems = result.failed + result.skipped
        if problems:
            text += " " + tr("{n} skipped (see History for the reasons).").format(n=problems)
        self.last_entry = result.entry_id
        if result.entry_id is not None and action != "delete":
            self.banner.show_message(text, tr("Undo"), self.undo_last)
        else:
            self.banner.show_message(text)
        self.session.history_changed.emit()
        self.session.index_changed.emit()

    def undo_last(self) -> None:
        entry = self.last_entry
        if entry is None or self.session.jobs.is_running("undo"):
            return
        db = self.session.db

        def run(progress):
            from app.jobs.undo import undo

            return undo(db, entry, progress)

        self.session.jobs.start(
            "undo",
            run,
            label=tr("Undoing"),
            on_result=self._undone,
            on_error=lambda m, _tb: self.banner.show_message(tr("Undo failed: {m}").format(m=m)),
        )

    def _undone(self, result) -> None:
        problems = result.problems
        text = tr("Undone: {n} file(s) restored.").format(n=result.run.done)
        if problems:
            text += " " + tr("{n} could not be restored (see History).").format(n=len(problems))
        self.banner.show_message(text)
        self.last_entry = None
        self.session.history_changed.emit()
        self.session.start_scan()  # the restored copies are duplicates again

    def refresh_theme(self) -> None:
        self.empty.refresh_icon()
        self.tree.viewport().update()


def reveal(path: str) -> None:
    from app.gui.desktop import reveal_in_file_manager

    reveal_in_file_manager(path)


def open_path(path: str) -> None:
    from app.gui.desktop import open_file

    open_file(path)
