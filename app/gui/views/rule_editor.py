"""The rule editor dialog: name, conditions (rows from rule_conditions.py), actions, conflict
policy, options, and a live example path.

It edits the plain-dict form of a rule (core.organize.rules.rule_to_dict) and validates with
core.organize.rules.rule_from_dict, so every error message names the field at fault.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.organize.rules import RuleError, rule_from_dict
from app.core.organize.templates import Fields, Template, TemplateError, render
from app.gui.flow import FlowLayout
from app.gui.views.rule_conditions import ConditionRow, field_words
from app.gui.widgets import button, label

ACTIONS = (
    ("move", "Move to"),
    ("copy", "Copy to"),
    ("trash", "Move to the trash"),
    ("hardlink", "Replace duplicate with a hard link"),
    ("none", "Only rename"),
)
CONFLICTS = (
    ("rename", "Add a number: name (1).ext"),
    ("skip", "Skip the file"),
    ("replace-if-identical", "Trash the source if the target is identical"),
    ("keep-newest", "Keep the newest"),
)


def tr(text: str) -> str:
    return QCoreApplication.translate("RuleEditor", text)


class RuleEditor(QDialog):
    """Edit one rule dict; ``result_dict`` holds the validated dict after OK."""

    def __init__(self, parent: QWidget | None, rule: dict, dest: str = "", sample_root: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Edit rule") if rule.get("name") else tr("New rule"))
        self.setMinimumWidth(720)
        self.original = dict(rule)
        self.dest = dest
        self.sample_root = sample_root or os.path.expanduser("~/Downloads")
        self.result_dict: dict | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(10)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        self.name = QLineEdit(rule.get("name", ""))
        self.name.setAccessibleName(tr("Rule name"))
        self.name.setPlaceholderText(tr("e.g. Invoices to Documents"))
        form.addRow(tr("Name"), self.name)
        self.match = QComboBox()
        self.match.setAccessibleName(tr("Match"))
        for key, text in (
            ("all", "all conditions hold"),
            ("any", "any condition holds"),
            ("none", "no condition holds"),
        ):
            self.match.addItem(tr(text), key)
        self.match.setCurrentIndex(max(0, self.match.findData(rule.get("match", "all"))))
        form.addRow(tr("Applies when"), self.match)
        lay.addLayout(form)

        self.cond_title = label(tr("Conditions (none: every file)"), "SectionTitle")
        lay.addWidget(self.cond_title)
        self.cond_box = QVBoxLayout()
        self.cond_box.setSpacing(6)
        lay.addLayout(self.cond_box)
        self.rows: list[ConditionRow] = []
        for cond in rule.get("conditions", []):
            self._add_condition(cond)
        add = button(tr("Add condition"), "plus", flat=True)
        add.clicked.connect(lambda: self._add_condition(None))
        lay.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)

        lay.addWidget(label(tr("Action"), "SectionTitle"))
        actions = rule.get("actions", [{"type": "move", "to": "{category}"}])
        main = next((a for a in actions if a["type"] != "rename"), {"type": "none"})
        rename = next((a for a in actions if a["type"] == "rename"), None)
        form2 = QFormLayout()
        form2.setHorizontalSpacing(12)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.action = QComboBox()
        self.action.setAccessibleName(tr("Action"))
        for key, text in ACTIONS:
            self.action.addItem(tr(text), key)
        self.action.setCurrentIndex(max(0, self.action.findData(main["type"])))
        self.to = QLineEdit(main.get("to", ""))
        self.to.setAccessibleName(tr("Destination template"))
        self.to.setPlaceholderText("{category}/{year}/{month}")
        row.addWidget(self.action)
        row.addWidget(self.to, 1)
        form2.addRow(tr("Then"), row)
        self.rename = QLineEdit(rename["name"] if rename else "")
        self.rename.setAccessibleName(tr("Rename template"))
        self.rename.setPlaceholderText(tr("keep the name, or e.g. {year}-{month}-{day} {name}"))
        form2.addRow(tr("Rename to"), self.rename)
        self.conflict = QComboBox()
        self.conflict.setAccessibleName(tr("If the target exists"))
        for key, text in CONFLICTS:
            self.conflict.addItem(tr(text), key)
        self.conflict.setCurrentIndex(max(0, self.conflict.findData(rule.get("conflict", "rename"))))
        form2.addRow(tr("If the target exists"), self.conflict)
        lay.addLayout(form2)
        opts_box = QWidget()
        opts = FlowLayout(opts_box, spacing=14)  # on two lines in a narrow dialog
        self.subfolders = QCheckBox(tr("Include subfolders"))
        self.subfolders.setChecked(rule.get("subfolders", True))
        self.cont = QCheckBox(tr("Let later rules match too"))
        self.cont.setChecked(rule.get("continue", False))
        self.remove_empty = QCheckBox(tr("Remove folders left empty"))
        self.remove_empty.setChecked(rule.get("remove_empty_folders", False))
        # a rule loaded with "symlinks" keeps it, and the user can set it (the CLI's rule files can)
        self.symlinks = QCheckBox(tr("Act on symbolic links too"))
        self.symlinks.setToolTip(
            tr("Unchecked, links stay where they are. Checked, the rule moves the links themselves, "
               "never the files they point to.")
        )
        self.symlinks.setChecked(bool(rule.get("symlinks", False)))
        for w in (self.subfolders, self.cont, self.remove_empty, self.symlinks):
            opts.add(w)
        lay.addWidget(opts_box)
        lay.addWidget(
            label(
                tr(
                    "Fields: {category} {ext} {name} {stem} {parent} {year} {month} {day} "
                    "{size_bucket} {counter}"
                ),
                "Muted",
                wrap=True,
            )
        )
        self.example = QLabel()
        self.example.setObjectName("Banner")
        self.example.setWordWrap(True)
        self.example.setMargin(8)
        self.example.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.example.setAccessibleName(tr("Example"))
        lay.addWidget(self.example)
        self.error = label("", "Muted", wrap=True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setProperty("primary", True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._timer = QTimer(self, singleShot=True, interval=150, timeout=self.update_example)
        for w in (self.name, self.to, self.rename):
            w.textChanged.connect(lambda *_: self._timer.start())
        for w in (self.match, self.action, self.conflict):
            w.currentIndexChanged.connect(lambda *_: self._timer.start())
        self.action.currentIndexChanged.connect(self._action_changed)
        self._action_changed()
        self.update_example()

    def _add_condition(self, cond: dict | None) -> None:
        row = ConditionRow(cond, self._timer_start, self._remove_condition)
        self.rows.append(row)
        self.cond_box.addWidget(row)
        self._update_cond_title()
        self._timer_start()

    def _timer_start(self) -> None:
        if hasattr(self, "_timer"):
            self._timer.start()

    def _remove_condition(self, row: ConditionRow) -> None:
        self.rows.remove(row)
        row.deleteLater()
        self._update_cond_title()
        self._timer_start()

    def _update_cond_title(self) -> None:
        self.cond_title.setText(tr("Conditions") if self.rows else tr("Conditions (none: every file)"))

    def _action_changed(self) -> None:
        self.to.setEnabled(self.action.currentData() in ("move", "copy"))
        self.rename.setEnabled(self.action.currentData() not in ("trash", "hardlink"))

    def to_dict(self) -> dict:
        kind = self.action.currentData()
        actions: list[dict] = []
        if kind in ("move", "copy"):
            actions.append({"type": kind, "to": self.to.text().strip()})
        elif kind in ("trash", "hardlink"):
            actions.append({"type": kind})
        if self.rename.text().strip() and kind not in ("trash", "hardlink"):
            actions.append({"type": "rename", "name": self.rename.text().strip()})
        d = {k: v for k, v in self.original.items() if k in ("uuid", "enabled", "folders")}
        d.update(
            {
                "name": self.name.text().strip(),
                "match": self.match.currentData(),
                "conditions": [r.to_dict() for r in self.rows],
                "actions": actions,
                "conflict": self.conflict.currentData(),
                "continue": self.cont.isChecked(),
                "subfolders": self.subfolders.isChecked(),
                "remove_empty_folders": self.remove_empty.isChecked(),
                "symlinks": self.symlinks.isChecked(),
            }
        )
        return d

    def _sample(self) -> str:
        for r in self.rows:
            d = r.to_dict()
            if d["type"] == "extension" and d.get("extensions"):
                return os.path.join(self.sample_root, "Report 2024." + d["extensions"][0].lstrip("."))
            if d["type"] == "category" and d.get("categories"):
                from app.core.scan.categories import active_map, custom_names

                name = d["categories"][0]
                custom = [e for e, c in active_map().items()
                          if c in custom_names() and c.casefold() == name.casefold()]
                ext = custom[0].lstrip(".") if custom else {
                    "images": "jpg",
                    "video": "mp4",
                    "audio": "mp3",
                    "archives": "zip",
                    "code": "py",
                    "installers": "deb",
                }.get(name, "pdf")
                return os.path.join(self.sample_root, "Holiday 2024." + ext)
        return os.path.join(self.sample_root, "Report 2024.pdf")

    def update_example(self) -> None:
        """Validate and show where a sample file would go."""
        d = self.to_dict()
        try:
            rule_from_dict(d)
            self.error.setText("")
            self.ok.setEnabled(True)
        except RuleError as exc:
            self.error.setText(
                f"⚠ {field_words(exc.field)}: {exc.message}" if d.get("name") else tr("Give the rule a name.")
            )
            self.ok.setEnabled(False)
        sample = self._sample()
        fields = Fields(sample, 2_400_000, time.time_ns())
        kind = self.action.currentData()
        try:
            root = self.dest or os.path.dirname(sample)
            folder = os.path.dirname(sample)
            if kind in ("move", "copy") and self.to.text().strip():
                target = render(Template.parse(self.to.text(), kind="folder"), fields, root)
            else:
                target = folder
            name = os.path.basename(sample)
            if self.rename.text().strip() and kind not in ("trash", "hardlink"):
                name = "".join(Template.parse(self.rename.text(), kind="name").expand(fields))
            if kind == "trash":
                text = tr("Example: {f} → the trash").format(f=os.path.basename(sample))
            elif kind == "hardlink":
                text = tr("Example: a duplicate of {f} becomes a hard link to the kept copy").format(
                    f=os.path.basename(sample)
                )
            else:
                text = tr("Example: {f}  →  {t}").format(f=sample, t=os.path.join(target, name))
        except TemplateError:
            text = ""               # the warning below says what is wrong with the template
        self.example.setText(text)
        self.example.setVisible(bool(text))
        self._fit()

    def _fit(self) -> None:
        """Grow the dialog when a wrapped message needs more height, rather than let the layout
        squeeze the fields (a dialog's layout does not ask its wrapped labels for their height)."""
        lay = self.layout()
        need = lay.totalHeightForWidth(self.width()) if lay.hasHeightForWidth() else self.sizeHint().height()
        if need > self.height():
            self.resize(self.width(), need)

    def accept(self) -> None:
        d = self.to_dict()
        try:
            rule_from_dict(d)
        except RuleError as exc:
            self.error.setText(f"⚠ {field_words(exc.field)}: {exc.message}")
            self._fit()
            return
        self.result_dict = d
        super().accept()
