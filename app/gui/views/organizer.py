"""Organizer: the rule list (rules_panel.RulesPanel: enable, reorder, add, edit, duplicate, delete, import,
export), presets, "Preview" listing every planned change with conflicts marked, "Apply", Undo."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import fmt, theme
from app.gui.confirm import confirm_action
from app.gui.models.rows import Column, RowsModel
from app.gui.session import Session
from app.gui.views.history import KINDS
from app.gui.views.rules_panel import RulesPanel
from app.gui.widgets import Banner, Card, EmptyState, PageHeader, button, label, table, tool_button

APPLY = "organize-apply"
PREVIEW = "organize-preview"
MY_RULES = ""


def tr(text: str) -> str:
    return QCoreApplication.translate("Organizer", text)


class OrganizerView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.preview = None  # jobs.organize.Preview of the last "Preview"
        self.last_entry: int | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 22, 28, 16)
        lay.setSpacing(12)
        header = PageHeader(
            tr("Organizer"),
            tr(
                "Sort files into folders by rules. Preview shows every "
                "change first; nothing moves until you press Apply."
            ),
        )
        lay.addWidget(header)
        self.banner = Banner()
        lay.addWidget(self.banner)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.rules_panel = RulesPanel(session, lambda: (self.dest.text(), self.source.currentText()))
        self.rules_panel.message.connect(self.banner.show_message)
        self.rules_panel.default_dest.connect(lambda d: self.dest.text() or self.dest.setText(d))
        split.addWidget(self.rules_panel)
        split.addWidget(self._preview_card())
        split.setSizes([320, 860])
        lay.addWidget(split, 1)
        session.folders_changed.connect(self._reload_folders)
        session.jobs.busy_changed.connect(self._busy_changed)  # bound: disconnected when deleted
        self._reload_folders()

    # ---- layout ----------------------------------------------------------------------------
    def on_shown(self) -> None:
        self.rules_panel.ensure_loaded()

    def _busy_changed(self, _busy: bool) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.session.jobs.is_running(APPLY) or self.session.jobs.is_running(PREVIEW)
        self.apply_btn.setEnabled(self.preview is not None and len(self.preview.plan) > 0 and not busy)
        self.undo_btn.setEnabled(self.last_entry is not None and not busy)

    def _preview_card(self) -> QWidget:
        card = Card()
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        src = QHBoxLayout()
        self.source = QComboBox()
        self.source.setAccessibleName(tr("Folder to organize"))
        self.source.setEditable(True)
        self.source.lineEdit().setPlaceholderText(tr("Choose a folder"))
        src.addWidget(self.source, 1)
        browse = tool_button("folder-open", tr("Choose the folder to organize"))
        browse.clicked.connect(lambda: self._choose(self.source.lineEdit()))
        src.addWidget(browse)
        form.addRow(tr("Organize"), src)
        dst = QHBoxLayout()
        self.dest = QLineEdit()
        self.dest.setAccessibleName(tr("Destination folder"))
        self.dest.setPlaceholderText(tr("Same folder (templates start from the folder organized)"))
        dst.addWidget(self.dest, 1)
        browse2 = tool_button("folder-open", tr("Choose the destination folder"))
        browse2.clicked.connect(lambda: self._choose(self.dest))
        dst.addWidget(browse2)
        form.addRow(tr("Into"), dst)
        self.rule_source = QComboBox()
        self.rule_source.setAccessibleName(tr("Rules to use"))
        self.rule_source.addItem(tr("My rules (the checked ones)"), MY_RULES)
        from app.core.presets import PRESETS

        for slug, p in PRESETS.items():
            self.rule_source.addItem(tr("Preset: {t}").format(t=tr(p.title)), slug)
        self.rule_source.currentIndexChanged.connect(self._rule_source_changed)
        form.addRow(tr("Using"), self.rule_source)
        card.body.addLayout(form)
        actions = QHBoxLayout()
        self.preview_btn = button(
            tr("Preview"), "preview", primary=True, tip=tr("List what would change (Ctrl+P)")
        )
        self.preview_btn.setShortcut("Ctrl+P")
        self.preview_btn.clicked.connect(self.run_preview)
        self.apply_btn = button(tr("Apply"), "apply", tip=tr("Carry out the previewed changes"))
        self.apply_btn.clicked.connect(self.apply)
        self.undo_btn = button(tr("Undo"), "undo", tip=tr("Put everything back as it was"))
        self.undo_btn.clicked.connect(self.undo)
        for b in (self.preview_btn, self.apply_btn, self.undo_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        self.summary = label("", "Muted")
        self.summary.setAccessibleName(tr("Preview summary"))
        actions.addWidget(self.summary)
        card.body.addLayout(actions)
        self.plan_model = RowsModel(
            [
                Column(tr("Action"), lambda r: r[0], icon=lambda r: theme.icon("warning") if r[4] else None),
                Column(tr("File"), lambda r: os.path.basename(r[1]), tooltip=lambda r: r[1]),
                Column(tr("Goes to"), lambda r: self._short_target(r[1], r[2]), tooltip=lambda r: r[2]),
                Column(tr("Rule"), lambda r: r[3]),
                Column(
                    tr("Note"),
                    lambda r: r[4],
                    tooltip=lambda r: r[4],
                    color=lambda r: theme.palette_color("warn") if r[4] else None,
                ),
            ]
        )
        self.plan_pages = QStackedWidget()
        self.plan_empty = EmptyState(
            "preview",
            tr("Nothing previewed yet"),
            tr(
                "Choose a folder and the rules, then press Preview to see every "
                "move and rename before it happens."
            ),
        )
        self.plan_pages.addWidget(self.plan_empty)
        self.plan_view = table(self.plan_model, stretch=2, name=tr("Planned changes"))
        self.plan_view.setColumnWidth(0, 80)
        self.plan_view.setColumnWidth(1, 170)
        self.plan_view.setColumnWidth(3, 110)
        self.plan_view.setColumnWidth(4, 110)
        self.plan_pages.addWidget(self.plan_view)
        card.body.addWidget(self.plan_pages, 1)
        self._update_buttons()
        return card

    # ---- preview and apply -----------------------------------------------------------------
    def _reload_folders(self) -> None:
        current = self.source.currentText()
        self.source.clear()
        self.source.addItems(self.session.folders())
        if current:
            self.source.setCurrentText(current)

    def _choose(self, edit: QLineEdit) -> None:
        path = QFileDialog.getExistingDirectory(
            self, tr("Choose a folder"), edit.text() or os.path.expanduser("~")
        )
        if path:
            edit.setText(path)

    def _rule_source_changed(self) -> None:
        slug = self.rule_source.currentData()
        if slug:
            from app.core.presets import preset

            p = preset(slug)
            if p.default_dest and not self.dest.text():
                self.dest.setText(os.path.expanduser(p.default_dest))
        self.preview = None
        self._update_buttons()

    def run_preview(self) -> None:
        source = self.source.currentText().strip()
        if not source or not os.path.isdir(source):
            self.banner.show_message(tr("Choose an existing folder to organize."))
            return
        slug = self.rule_source.currentData()
        dest = self.dest.text().strip() or None
        db = self.session.db
        exclude = tuple(self.session.prefs.get("exclude"))

        def run(progress):
            from app.jobs.organize import preview, rule_set

            rs = rule_set(db, preset=slug or None)
            return preview(
                db, [source], rs.rules, dest=dest or rs.default_dest, progress=progress, exclude=exclude
            )

        self.banner.hide()
        self.preview = None
        self.session.jobs.start(
            PREVIEW,
            run,
            label=tr("Planning"),
            on_result=self._previewed,
            on_error=self._preview_failed,
        )
        self._update_buttons()

    def _preview_failed(self, message: str, _tb: str) -> None:
        self.banner.show_message(tr("Preview failed: {m}").format(m=message))

    def _apply_failed(self, message: str, _tb: str) -> None:
        self.banner.show_message(tr("Apply failed: {m}").format(m=message))

    def _undo_failed(self, message: str, _tb: str) -> None:
        self.banner.show_message(tr("Undo failed: {m}").format(m=message))

    def _short_target(self, src: str, path: str) -> str:
        """The destination below the folder it starts from: 'documents/' (same name) or
        'documents/2024-report.pdf' (renamed)."""
        pv = self.preview
        for base in ([pv.dest] if pv and pv.dest else []) + (pv.roots if pv else []):
            if path.startswith(base.rstrip(os.sep) + os.sep):
                path = path[len(base.rstrip(os.sep)) + 1 :]
                break
        if path and os.path.basename(path) == os.path.basename(src):
            return os.path.dirname(path) + os.sep
        return path

    def _previewed(self, pv) -> None:
        self.preview = pv
        rows = []
        for op in pv.plan.operations:
            target = op.dst or ("" if str(op.kind) != "trash" else tr("the trash"))
            rows.append((tr(KINDS.get(str(op.kind), str(op.kind))), op.src, target, op.rule or "", op.note))
        for path, why in pv.planned.skipped + pv.errors:
            rows.append((tr("Skip"), path, "", "", why))
        self.plan_model.set_rows(rows)
        self.plan_pages.setCurrentIndex(1 if rows else 0)
        if not rows:
            self.plan_empty.set_text(
                tr("No file matches the rules, or every file is already in place."), tr("Nothing to change")
            )
        conflicts = sum(1 for r in rows if r[4])
        self.summary.setText(
            tr("{n} change(s) · {m} of {f} files matched · {c} marked").format(
                n=fmt.count(len(pv.plan)),
                m=fmt.count(pv.planned.matched),
                f=fmt.count(pv.planned.files),
                c=fmt.count(conflicts),
            )
        )
        self._update_buttons()

    def apply(self) -> None:
        pv = self.preview
        if pv is None or not len(pv.plan):
            return
        if not confirm_action(self, "apply", [op.src for op in pv.plan.operations], pv.plan.total_bytes):
            return
        db = self.session.db

        def run(progress):
            from app.jobs.organize import apply

            return apply(db, pv, progress)

        self.session.jobs.start(
            APPLY,
            run,
            label=tr("Organizing"),
            on_result=self._applied,
            on_error=self._apply_failed,
        )
        self._update_buttons()

    def _applied(self, result) -> None:
        self.preview = None
        self.last_entry = result.entry_id
        text = tr("Done: {n} change(s) made.").format(n=result.done)
        if result.failed or result.skipped:
            text += " " + tr(
                "{n} skipped (files changed since the preview, or could not be moved); see History."
            ).format(n=result.failed + result.skipped)
        self.banner.show_message(text, tr("Undo"), self.undo)
        self.plan_model.set_rows([])
        self.plan_pages.setCurrentIndex(0)
        self.summary.setText("")
        self.session.history_changed.emit()
        self.session.index_changed.emit()
        self._update_buttons()

    def undo(self) -> None:
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
            on_error=self._undo_failed,
        )

    def _undone(self, result) -> None:
        self.last_entry = None
        text = tr("Undone: {n} change(s) reverted.").format(n=result.run.done)
        if result.problems:
            text += " " + tr("{n} could not be undone (see History).").format(n=len(result.problems))
        self.banner.show_message(text)
        self.session.history_changed.emit()
        self.session.index_changed.emit()
        self._update_buttons()

    def refresh_theme(self) -> None:
        self.rules_panel.refresh_theme()
        self.plan_empty.refresh_icon()
