"""Duplicates: groups (largest reclaimable first) expanding to their files; auto-select by keep
policy or by hand; move to trash, replace with hard links or move to a folder; confirm; result
with Undo. Filters by size, category, folder and name. Lazy model: smooth with 100,000 groups.

The page wires together the filter bar (duplicates_filters), the table (duplicates_table over
models.duplicates), the confirm dialog (app.gui.confirm) and the plan building (app.gui.dup_actions).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import dup_actions, fmt
from app.gui.confirm import confirm_action, confirm_hardlink
from app.gui.flow import FlowLayout
from app.gui.models.duplicates import DuplicatesModel, removable
from app.gui.session import Session
from app.gui.views.duplicates_filters import DuplicateFilters
from app.gui.views.duplicates_table import DuplicatesTable
from app.gui.views.undo_offer import UndoOffer
from app.gui.widgets import Banner, EmptyState, PageHeader, button, label

POLICIES = (
    ("oldest", "Keep the oldest"),
    ("newest", "Keep the newest"),
    ("shortest-path", "Keep the shortest path"),
    ("reference", "Keep the copy in a reference folder…"),
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
        self.model.folder_label = self._folder_label  # 'Photos/2024' rather than the full path
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 12)
        lay.setSpacing(12)
        self.header = PageHeader(
            tr("Duplicates"),
            tr(
                "Files with identical content. Check the copies to "
                "remove; one copy of each group always stays."
            ),
        )
        lay.addWidget(self.header)

        self.filters = DuplicateFilters()
        self.filters.changed.connect(self.apply_filter)
        # the filter controls, as the page's own (tests and shortcuts use them)
        self.search, self.size_box = self.filters.search, self.filters.size_box
        self.cat_box, self.folder_box = self.filters.cat_box, self.filters.folder_box
        lay.addWidget(self.filters)

        select_box = QWidget()
        select_row = FlowLayout(select_box)
        select_row.add(label(tr("Auto-select:"), "Muted"))
        self.policy_box = QComboBox()
        self.policy_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.policy_box.setMinimumContentsLength(14)  # the full text shows in the open list
        self.policy_box.setAccessibleName(tr("Keep policy"))
        for key, text in POLICIES:
            self.policy_box.addItem(tr(text), key)
        select_row.add(self.policy_box)
        self.select_btn = button(
            tr("Select copies"),
            "select",
            tip=tr("Check every copy except the one the policy keeps (Ctrl+Shift+A)"),
        )
        self.select_btn.clicked.connect(self.auto_select)
        select_row.add(self.select_btn)
        self.clear_btn = button(tr("Clear"), tip=tr("Uncheck everything"))
        self.clear_btn.clicked.connect(lambda: self.model.set_marks(set(), self.model.kept))
        select_row.add(self.clear_btn)
        self.expand_btn = button(tr("Collapse all"), tip=tr("Show or hide the copies of every group"))
        self.expand_btn.clicked.connect(self._toggle_all)
        select_row.add(self.expand_btn)
        lay.addWidget(select_box)
        self.summary = label("", "Muted", wrap=True)  # a line of its own: long in a narrow window
        self.summary.setAccessibleName(tr("Selection summary"))
        lay.addWidget(self.summary)

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
        self.tree = DuplicatesTable(self.model)
        self.pages.addWidget(self.tree)
        self.pages.setMinimumHeight(120)  # not the empty state's: the actions stay in view at 800x600
        lay.addWidget(self.pages, 1)

        actions_box = QWidget()
        actions = FlowLayout(actions_box)
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
            actions.add(b)
        lay.addWidget(actions_box)

        # shortcuts of this page (a page's shortcuts are live only while it is shown)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, activated=self.auto_select)
        # Del anywhere on the page (a text field with the focus keeps Del for its text)
        QShortcut(QKeySequence.StandardKey.Delete, self, activated=lambda: self.act("trash"))
        policy = session.prefs.get("keep_policy")
        self.policy_box.setCurrentIndex(max(0, self.policy_box.findData(policy)))
        self.policy_box.currentIndexChanged.connect(self._policy_changed)
        session.duplicates_ready.connect(self.set_result)
        self.undo_offer = UndoOffer(session, self.banner)
        session.folders_changed.connect(self._reload_folders)
        session.index_changed.connect(self._reload_categories)
        session.jobs.busy_changed.connect(self._busy_changed)  # bound: disconnected when deleted
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
        # nothing is checked until the user checks copies or presses Select copies

    def _reload_categories(self) -> None:
        """The built-in categories, then the custom ones in use (they change in Settings)."""
        from app.core.scan.categories import custom_names

        if self.filters.set_custom_categories(sorted(custom_names(), key=str.casefold)):
            self.apply_filter()

    def on_shown(self) -> None:
        self._reload_categories()
        if (
            self.session.duplicates is None
            and self.session.folders()
            and not self.session.jobs.is_running("scan")
        ):
            self.empty.set_text(
                tr("Press Scan now to look for duplicates in your {folders}.").format(
                    folders=fmt.plural(len(self.session.folders()), tr("folder"), tr("folders"))
                )
            )

    def _folder_label(self, path: str) -> str:
        return fmt.short_path(path, self.session.folders())

    def _reload_folders(self) -> None:
        self.filters.set_folders(self.session.folders())

    def apply_filter(self) -> None:
        """Show the groups that pass the filters (name/path text, minimum size, category, folder)."""
        self.model.set_visible(self.filters.visible(self.model.groups))
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
            from app.core.dedup.keep import choose_keep

            progress.stage("select", total=len(visible))
            marked, kept, shown = set(), {}, set()
            for n, i in enumerate(visible):
                files = groups[i].files
                shown.update(f.path for f in files)
                keep = choose_keep(files, criteria, roots)
                kept[i] = keep.path
                marked.update(removable(files, keep.path))  # never a hard link of the kept file
                if n % 1000 == 0:
                    progress.check()
                    progress.advance(1000)
            return marked, kept, shown

        self.session.jobs.start(
            "select", run, label=tr("Selecting copies"), on_result=self._selected, quiet=True
        )

    def _selected(self, value: tuple[set[str], dict[int, str], set[str]]) -> None:
        """The shown groups get the policy's marks; checks in groups the filters hide stay."""
        marked, kept, shown = value
        self.model.set_marks((self.model.marked - shown) | marked, {**self.model.kept, **kept})

    def _busy_changed(self, _busy: bool) -> None:
        self._update_summary()

    def visible_selection(self) -> dup_actions.Selection:
        """The checked files the actions act on: those in the groups the filters show."""
        m = self.model
        return dup_actions.selection(m.groups, m.marked, m.kept, only=m.visible)

    def hidden_checked(self, shown: int) -> int:
        """Checked files the filters hide (left alone by the actions)."""
        if not self.model.marked or len(self.model.visible) == len(self.model.groups):
            return 0
        every = dup_actions.selection(self.model.groups, self.model.marked, self.model.kept)
        return len(every) - shown

    def _update_summary(self) -> None:
        groups = len(self.model.visible)
        total = len(self.model.groups)
        reclaim = self.model.visible_reclaimable()
        sel = self.visible_selection()
        marked = len(sel)
        hidden = self.hidden_checked(marked)
        what = fmt.plural(groups, tr("group"), tr("groups"))
        text = tr("{groups} · {r} to free").format(groups=what, r=fmt.size(reclaim))
        if groups != total:
            text = tr("{g} of {groups} · {r} to free").format(
                g=fmt.count(groups), groups=fmt.plural(total, tr("group"), tr("groups")), r=fmt.size(reclaim)
            )
        if marked:
            text += tr("  ·  {n} checked ({size})").format(n=fmt.count(marked), size=fmt.size(sel.bytes))
        if hidden:
            text += tr("  ·  {n} more checked in hidden groups").format(n=fmt.count(hidden))
        self.summary.setText(text)
        self.summary.setToolTip(
            tr("The actions act on the checked files you can see; checked files in groups the "
               "filters hide are left alone.")
            if hidden
            else ""
        )
        busy = self.session.jobs.is_running(ACT) or self.session.jobs.is_running("scan")
        for b in (self.trash_btn, self.link_btn, self.move_btn, self.delete_btn):
            b.setEnabled(bool(marked) and not busy)
        self.delete_btn.setVisible(bool(self.session.prefs.get("permanent_delete")))
        self.select_btn.setEnabled(bool(self.model.groups))
        self.clear_btn.setEnabled(bool(self.model.marked))

    def _toggle_all(self) -> None:
        expand = bool(self.model.collapsed)
        self.model.set_all_expanded(expand)
        self.expand_btn.setText(tr("Collapse all") if expand else tr("Expand all"))

    # ---- actions ---------------------------------------------------------------------------
    def act(self, action: str) -> None:
        sel = self.visible_selection()
        if not len(sel) or self.session.jobs.is_running(ACT):
            if not len(sel) and not self.session.jobs.is_running(ACT):
                self.banner.show_message(
                    tr("Nothing is checked. Check the copies to remove, or press Select copies.")
                )
            return
        hidden = self.hidden_checked(len(sel))
        dest = None
        if action == "move":
            dest = QFileDialog.getExistingDirectory(self, tr("Move the checked copies to…"))
            if not dest:
                return
        note = (
            tr("Left alone: {files} checked in groups the filters hide.").format(
                files=fmt.plural(hidden, tr("file"), tr("files"))
            )
            if hidden
            else ""
        )
        paths = [f.path for _g, f, _k in sel.items]
        any_owner = False
        if action == "hardlink":
            confirmed, any_owner = confirm_hardlink(self, paths, sel.bytes, note)
        else:
            confirmed = confirm_action(self, action, paths, sel.bytes, dest, note)
        if not confirmed:
            return
        plan = dup_actions.build_plan(sel, action, dest, self.policy_box.currentData(), any_owner)
        db = self.session.db
        self.banner.hide()

        def run(progress):
            return action, dup_actions.run_plan(db, plan, progress)

        self.session.jobs.start(ACT, run, label=plan.title, on_result=self._acted, on_error=self._act_failed)

    def _act_failed(self, message: str, _tb: str) -> None:
        self.banner.show_message(tr("Failed: {m}").format(m=message))

    def _acted(self, value) -> None:
        action, result = value
        done_paths = [r.op.src for r in result.records if r.state == "done"]
        self.model.remove_paths(done_paths)
        self.apply_filter()
        self.pages.setCurrentIndex(1 if self.model.groups else 0)
        if not self.model.groups:
            self.empty.set_text(
                tr("Every copy you chose was removed. Scan again after adding files."),
                tr("No duplicates left in the scanned folders"),
            )
        verbs = {
            "trash": tr("moved to the trash"),
            "hardlink": tr("replaced with hard links"),
            "move": tr("moved"),
            "delete": tr("deleted"),
        }
        text = tr("{files} {verb}, {b} freed.").format(
            files=fmt.plural(len(done_paths), tr("file"), tr("files")),
            verb=verbs[action],
            b=fmt.size(result.bytes_done),
        )
        problems = result.failed + result.skipped
        if problems:
            text += " " + tr("{n} skipped (see History for the reasons).").format(
                n=fmt.plural(problems, tr("file"), tr("files"))
            )
        self.undo_offer.offer(result.entry_id if action != "delete" else None, text)
        self.session.history_changed.emit()
        self.session.index_changed.emit()

    def undo_last(self) -> None:
        self.undo_offer.undo()

    def refresh_theme(self) -> None:
        self.empty.refresh_icon()
        self.tree.viewport().update()

