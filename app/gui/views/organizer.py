"""Organizer: the rule list (rules_panel.RulesPanel: enable, reorder, add, edit, duplicate, delete, import,
export) beside the card of organizer_preview.PreviewCard (folder, destination, rules, Preview,
Apply, Undo, and every planned change with conflicts marked); this view does what they ask."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QSplitter, QWidget

from app.gui import fmt, theme
from app.gui.confirm import confirm_action
from app.gui.session import Session
from app.gui.views.organizer_plan import is_home, plan_rows
from app.gui.views.organizer_preview import PreviewCard
from app.gui.views.rules_panel import RulesPanel
from app.gui.views.undo_offer import UndoOffer
from app.gui.widgets import Banner, PageHeader, PageLayout

APPLY = "organize-apply"
PREVIEW = "organize-preview"


def tr(text: str) -> str:
    return QCoreApplication.translate("Organizer", text)


class OrganizerView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.preview = None  # jobs.organize.Preview of the last "Preview"
        self._auto_dest = ""  # what a preset put into "Into" (the user did not type it)
        lay = PageLayout(self)
        lay.setContentsMargins(20, 14, 20, 10)
        lay.setSpacing(12)
        header = PageHeader(
            tr("Organizer"),
            tr("Sort files into folders by rules. Nothing moves until you press Apply."),
        )
        lay.addWidget(header)
        self.banner = Banner()
        self.undo_offer = UndoOffer(session, self.banner, lambda: self._update_buttons())
        lay.addWidget(self.banner)
        split = self.split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.rules_panel = RulesPanel(session, lambda: (self.dest.text(), self.source.currentText()))
        self.rules_panel.message.connect(self.banner.show_message)
        split.addWidget(self.rules_panel)
        split.addWidget(self._preview_card())
        split.setSizes([320, 860])
        lay.addWidget(split, 1)
        session.folders_changed.connect(self._reload_folders)
        session.jobs.busy_changed.connect(self._busy_changed)  # bound: disconnected when deleted
        self._reload_folders()
        self.plan_pages.currentChanged.connect(lambda _i: self._fold_rules())
        self.banner.installEventFilter(self)  # shown or hidden: the rules fold or unfold

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if obj is self.banner and event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self._fold_rules()
        return super().eventFilter(obj, event)

    # ---- layout ----------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """Side by side when there is room; the rules above the preview in a narrow window."""
        wide = event.size().width() >= 760
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.split.orientation() != orientation:
            self.split.setOrientation(orientation)
            self.split.setSizes([320, 860] if wide else [200, 400])
        super().resizeEvent(event)
        self._fold_rules()

    def _fold_rules(self) -> None:
        """In a small window (800x600) the rule list folds away while a preview or a result is
        shown, so the planned changes get the room; the tool row stays, and it unfolds after."""
        small = self.split.orientation() == Qt.Orientation.Vertical and self.height() < 700
        busy_page = self.plan_pages.currentIndex() == 1 or not self.banner.isHidden()
        fold = small and busy_page
        if fold != self.rules_panel.list_pages.isHidden():
            self.rules_panel.set_folded(fold)
            self.rules_panel.layout().activate()  # its minimum without (or with) the list
            top = self.rules_panel.minimumSizeHint().height() if fold else 200
            self.split.setSizes([top, max(1, self.split.height() - top)])

    def on_shown(self) -> None:
        self.rules_panel.ensure_loaded()

    def _busy_changed(self, _busy: bool) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.session.jobs.is_running(APPLY) or self.session.jobs.is_running(PREVIEW)
        self.apply_btn.setEnabled(self.preview is not None and len(self.preview.plan) > 0 and not busy)
        self.undo_btn.setEnabled(self.undo_offer.available and not busy)

    def _preview_card(self) -> QWidget:
        """The card (organizer_preview.PreviewCard) wired to this view; its widgets are this
        view's attributes too, as the Organizer's code and tests name them."""
        card = PreviewCard(lambda: self.preview)
        self.source, self.dest, self.rule_source, self.dest_note = (
            card.source, card.dest, card.rule_source, card.dest_note)
        self.preview_btn, self.apply_btn, self.undo_btn, self.summary = (
            card.preview_btn, card.apply_btn, card.undo_btn, card.summary)
        self.plan_model, self.plan_pages, self.plan_empty, self.plan_view = (
            card.plan_model, card.plan_pages, card.plan_empty, card.plan_view)
        self.rule_source.currentIndexChanged.connect(self._rule_source_changed)
        self.dest.textChanged.connect(self._dest_changed)
        self.source.currentTextChanged.connect(self._dest_changed)
        self.preview_btn.clicked.connect(self.run_preview)
        self.apply_btn.clicked.connect(self.apply)
        self.undo_btn.clicked.connect(self.undo)
        self._update_buttons()
        self._dest_changed()
        self._set_summary("")
        return card

    def _set_summary(self, text: str) -> None:
        """The preview's counts; the line is left out while there are none (room at 800x600)."""
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    # ---- preview and apply -----------------------------------------------------------------
    def _reload_folders(self) -> None:
        current = self.source.currentText()
        self.source.clear()
        self.source.addItems(self.session.folders())
        if current:
            self.source.setCurrentText(current)

    def _rule_source_changed(self) -> None:
        """Each preset brings its own destination ("Clean up Downloads": the home folder; the
        others: the folder organized). A destination a preset filled in goes with it when another
        one is chosen; a folder the user typed or chose stays."""
        slug = self.rule_source.currentData()
        default = ""
        if slug:
            from app.core.organize.presets import preset

            p = preset(slug)
            default = os.path.expanduser(p.default_dest) if p.default_dest else ""
        if self.dest.text().strip() in ("", self._auto_dest):
            self._auto_dest = default
            self.dest.setText(default)
        self._forget_preview()

    def destination(self) -> str:
        """The folder the files go into: the one in "Into", or the folder organized."""
        dest = self.dest.text().strip()
        return os.path.abspath(os.path.expanduser(dest)) if dest else self.source.currentText().strip()

    def _dest_changed(self, _text: str = "") -> None:
        dest = self.destination()
        if not dest:
            self.dest_note.setText("")
        elif is_home(dest):
            self.dest_note.setText(
                tr("⚠ Files go directly into your home folder, {d}; new folders are made there.").format(
                    d=dest
                )
            )
        elif self.dest.text().strip():
            self.dest_note.setText(tr("Files go into {d}.").format(d=dest))
        else:
            self.dest_note.setText(tr("Files stay inside {d} (the folder organized).").format(d=dest))
        self.dest_note.setProperty("warning", is_home(dest) if dest else False)
        color = theme.palette_color("warn").name() if self.dest_note.property("warning") else ""
        self.dest_note.setStyleSheet(f"color: {color}; font-weight: 600;" if color else "")
        pv, source = self.preview, os.path.abspath(self.source.currentText().strip())
        if pv is not None and (pv.dest or pv.roots[0], pv.roots[0]) != (dest, source):
            self._forget_preview()

    def _forget_preview(self) -> None:
        """A preview made for another folder or other rules must not be applied."""
        if self.preview is not None:
            self.preview = None
            self.plan_model.set_rows([])
            self.plan_pages.setCurrentIndex(0)
            self._set_summary("")
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

            rs = rule_set(db, preset=slug or None)  # its default destination is in "Into" already
            pv = preview(db, [source], rs.rules, dest=dest, progress=progress, exclude=exclude)
            rows = plan_rows(pv)  # here, not on the UI thread: a million rows take about a second
            return pv, rows, sum(1 for r in rows if r[4])

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

    def _previewed(self, value) -> None:
        pv, rows, conflicts = value
        self.preview = pv
        self.plan_model.set_rows(rows)
        self.plan_pages.setCurrentIndex(1 if rows else 0)
        if not rows:
            self.plan_empty.set_text(
                tr("No file matches the rules, or every file is already in place."), tr("Nothing to change")
            )
        text = tr("{changes} · {m} of {files} matched").format(
            changes=fmt.plural(len(pv.plan), tr("change"), tr("changes")),
            m=fmt.count(pv.planned.matched),
            files=fmt.plural(pv.planned.files, tr("file"), tr("files")),
        )
        if conflicts:
            text += " · " + tr("{n} with a note").format(n=fmt.count(conflicts))
        self._set_summary(text)
        self._update_buttons()

    def apply(self) -> None:
        pv = self.preview
        if pv is None or not len(pv.plan):
            return
        dest = pv.dest or pv.roots[0]
        changes = [f"{op.src}  →  {op.dst or tr('the trash')}" for op in pv.plan.operations]
        note = (
            tr("Your home folder is the destination: the files and the new folders land directly in it.")
            if is_home(dest)
            else ""
        )
        if not confirm_action(self, "apply", changes, pv.plan.total_bytes, dest, note):
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
        from app.jobs.history import files_done

        n = files_done(result.records)
        text = tr("Done: {files} moved or renamed.").format(files=fmt.plural(n, tr("file"), tr("files")))
        if result.failed or result.skipped:
            text += " " + tr(
                "{n} skipped (changed since the preview, or could not be moved); see History."
            ).format(n=fmt.plural(result.failed + result.skipped, tr("file"), tr("files")))
        self.undo_offer.offer(result.entry_id, text)
        self.plan_model.set_rows([])
        self.plan_pages.setCurrentIndex(0)
        self._set_summary("")
        self.session.history_changed.emit()
        self.session.index_changed.emit()
        self._update_buttons()

    def undo(self) -> None:
        self.undo_offer.undo()

    def refresh_theme(self) -> None:
        self._dest_changed()
        self.rules_panel.refresh_theme()
        self.plan_empty.refresh_icon()
