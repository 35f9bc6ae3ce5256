"""The Organizer's right-hand card: which folder, into where, with which rules; the Preview,
Apply and Undo buttons with the preview's counts; and the table of planned changes (an empty
state until the first preview). Only the widgets: what they do is ``organizer.OrganizerView``'s."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QStackedWidget,
    QWidget,
)

from app.core.organize.presets import PRESETS
from app.gui import theme
from app.gui.flow import FlowLayout
from app.gui.models.rows import Column, RowsModel
from app.gui.views.organizer_plan import short_source, short_target
from app.gui.widgets import Card, EmptyState, button, label, table, tool_button

MY_RULES = ""       # the rule choice "My rules (the checked ones)"; the presets are by slug


def tr(text: str) -> str:
    return QCoreApplication.translate("Organizer", text)


class PreviewCard(Card):
    """`preview()` gives the Organizer's current preview (jobs.organize.Preview or None): the
    table shows its paths relative to the folder organized and the destination."""

    def __init__(self, preview: Callable[[], object]) -> None:
        super().__init__()
        self._form()
        # where the files go, in words, before anything is previewed or applied
        self.dest_note = label("", "Muted", wrap=True)
        self.dest_note.setAccessibleName(tr("Where the files go"))
        self.body.addWidget(self.dest_note)
        self._actions()
        self._plan(preview)

    def _form(self) -> None:
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        src = QHBoxLayout()
        self.source = QComboBox()
        self.source.setAccessibleName(tr("Folder to organize"))
        self.source.setEditable(True)
        # a long path must not widen the page: the box shows its end, the list shows all
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(16)
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
        self.rule_source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.rule_source.setMinimumContentsLength(16)
        self.rule_source.setAccessibleName(tr("Rules to use"))
        self.rule_source.addItem(tr("My rules (the checked ones)"), MY_RULES)
        for slug, p in PRESETS.items():
            self.rule_source.addItem(tr("Preset: {t}").format(t=tr(p.title)), slug)
        form.addRow(tr("Using"), self.rule_source)
        self.body.addLayout(form)

    def _actions(self) -> None:
        actions_box = QWidget()
        actions = FlowLayout(actions_box)
        self.preview_btn = button(
            tr("Preview"), "preview", primary=True, tip=tr("List what would change (Ctrl+P)")
        )
        self.preview_btn.setShortcut("Ctrl+P")
        self.apply_btn = button(tr("Apply"), "apply", tip=tr("Carry out the previewed changes"))
        self.undo_btn = button(tr("Undo"), "undo", tip=tr("Put everything back as it was"))
        for b in (self.preview_btn, self.apply_btn, self.undo_btn):
            actions.add(b)
        # beside the buttons when it fits, on a line of its own when not
        self.summary = label("", "Muted")
        self.summary.setAccessibleName(tr("Preview summary"))
        actions.add(self.summary)
        self.body.addWidget(actions_box)

    def _plan(self, preview: Callable[[], object]) -> None:
        self.plan_model = RowsModel(
            [
                Column(tr("Action"), lambda r: r[0], icon=lambda r: theme.icon("warning") if r[4] else None),
                Column(tr("File"), lambda r: short_source(preview(), r[1]), tooltip=lambda r: r[1]),
                Column(
                    tr("Goes to"), lambda r: short_target(preview(), r[1], r[2]), tooltip=lambda r: r[2]
                ),
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
        self.plan_view = table(self.plan_model, stretch=4, name=tr("Planned changes"))
        self.plan_view.setColumnWidth(0, 90)  # "Action" and its sort arrow
        self.plan_view.setColumnWidth(1, 180)
        self.plan_view.setColumnWidth(3, 100)
        self.plan_view.setColumnWidth(4, 140)
        self.plan_view.setColumnWidth(2, 200)  # the Note column takes what is left
        self.plan_view.horizontalHeader().setMinimumSectionSize(60)
        self.plan_pages.addWidget(self.plan_view)
        self.body.addWidget(self.plan_pages, 1)

    def _choose(self, edit: QLineEdit) -> None:
        path = QFileDialog.getExistingDirectory(
            self, tr("Choose a folder"), edit.text() or os.path.expanduser("~")
        )
        if path:
            edit.setText(path)
