"""The organizer's rule list: enable, reorder by drag, add, edit, duplicate, delete, presets,
import and export. Rules are stored through store.rules_repo; the editor is RuleEditor."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from app.gui import fmt, theme
from app.gui.flow import FlowLayout
from app.gui.session import Session
from app.gui.views.rule_editor import RuleEditor
from app.gui.widgets import Card, EmptyState, button, label, tool_button


def tr(text: str) -> str:
    return QCoreApplication.translate("Organizer", text)


def _rules_api():
    from app.core.organize import presets, rules, rules_io
    from app.jobs import rule_list  # the store, through jobs

    return rules, presets, rules_io, rule_list


class RulesPanel(Card):
    """``context()`` gives (destination, sample folder) for the editor's live example."""

    message = Signal(str)  # a notice for the page's banner

    def __init__(self, session: Session, context: Callable[[], tuple[str, str]]) -> None:
        super().__init__()
        self.session = session
        self.context = context
        self.rules: list = []  # core.organize.rules.Rule, in order
        self._loaded = False
        self._build()
        self._update_buttons()

    def _build(self) -> None:
        card = self
        card.setMinimumWidth(240)
        order = tr("Checked rules run top to bottom; the first match wins.")
        self.title = label(tr("My rules"), "SectionTitle")
        self.title.setToolTip(order)
        card.body.addWidget(self.title)
        # presets are run from the Organizer's "Using" box; here they are copied, to be changed
        self.presets_btn = button(
            tr("Copy a preset"), "plus", tip=tr("Copy a preset's rules into My rules, to change them")
        )
        menu = QMenu(self.presets_btn)
        from app.core.organize.presets import PRESETS

        for slug, p in PRESETS.items():
            act = menu.addAction(tr(p.title), lambda s=slug: self.add_preset(s))
            act.setToolTip(tr(p.description))
        self.presets_btn.setMenu(menu)
        self.list_pages = QStackedWidget()
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Rules"))
        self.list.setToolTip(order + " " + tr("Drag a rule to reorder; double-click it to edit it."))
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.model().rowsMoved.connect(lambda *_: self._save_order())
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemDoubleClicked.connect(lambda _i: self.edit_rule())
        self.list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.list_empty = EmptyState(
            "organizer",
            tr("No rules yet"),
            tr("Rules run top to bottom; the first match wins. Add one with +, or use a preset."),
        )
        self.list_pages.addWidget(self.list_empty)
        self.list_pages.addWidget(self.list)
        card.body.addWidget(self.list_pages, 1)
        row_box = QWidget()
        row = FlowLayout(row_box, spacing=4)  # two rows of tool buttons in a narrow panel
        self.add_btn = tool_button("plus", tr("Add a rule"))
        self.add_btn.clicked.connect(self.add_rule)
        self.edit_btn = tool_button("edit", tr("Edit the selected rule"))
        self.edit_btn.clicked.connect(self.edit_rule)
        self.dup_btn = tool_button("copy", tr("Duplicate the selected rule"))
        self.dup_btn.clicked.connect(self.duplicate_rule)
        self.del_btn = tool_button("trash", tr("Delete the selected rule"))
        self.del_btn.clicked.connect(self.delete_rule)
        self.up_btn = tool_button("up", tr("Move up"))
        self.up_btn.clicked.connect(lambda: self.move_rule(-1))
        self.down_btn = tool_button("down", tr("Move down"))
        self.down_btn.clicked.connect(lambda: self.move_rule(1))
        for b in (self.add_btn, self.edit_btn, self.dup_btn, self.del_btn, self.up_btn, self.down_btn):
            row.add(b)
        self.import_btn = tool_button("import", tr("Import rules from a JSON or TOML file"))
        self.import_btn.clicked.connect(self.import_rules)
        self.export_btn = tool_button("export", tr("Export the rules to a file"))
        self.export_btn.clicked.connect(self.export_rules)
        row.add(self.import_btn)
        row.add(self.export_btn)
        row.add(self.presets_btn)  # on the tool row: the panel fits an 800x600 window
        card.body.addWidget(row_box)

    def set_folded(self, folded: bool) -> None:
        """Hide the list (a small window showing a preview needs the room); the tool row stays
        and the title says how many rules are checked."""
        self.list_pages.setVisible(not folded)
        checked = sum(1 for r in self.rules if r.enabled)
        text = tr("My rules ({n} checked)").format(n=fmt.count(checked))
        self.title.setText(text if folded and self.rules else tr("My rules"))

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload_rules()

    def reload_rules(self) -> None:
        self._loaded = True
        db = self.session.db
        self.session.jobs.start(
            "rules",
            lambda _p: _rules_api()[3].list_rules(db),
            label=tr("Loading rules"),
            on_result=self._rules_loaded,
            quiet=True,
        )

    def _rules_loaded(self, rules) -> None:
        self.rules = list(rules)
        self.list.blockSignals(True)
        self.list.clear()
        for rule in self.rules:
            item = QListWidgetItem(theme.icon("organizer"), rule.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
            item.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, rule.uuid)
            item.setToolTip(self._describe(rule))
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list_pages.setCurrentIndex(1 if self.rules else 0)
        self._update_buttons()

    @staticmethod
    def _describe(rule) -> str:
        acts = ", ".join(
            f"{a.type} {a.options.get('to') or a.options.get('name') or ''}".strip() for a in rule.actions
        )
        n = len(rule.conditions)
        conds = tr("no condition (every file)") if not n else fmt.plural(n, tr("condition"), tr("conditions"))
        return f"{rule.name}: {conds}; {acts}"

    def _selected(self):
        row = self.list.currentRow()
        return self.rules[row] if 0 <= row < len(self.rules) else None

    def _update_buttons(self) -> None:
        has = self._selected() is not None
        for b in (self.edit_btn, self.dup_btn, self.del_btn, self.up_btn, self.down_btn):
            b.setEnabled(has)
        self.export_btn.setEnabled(bool(self.rules))

    def _save(self, rule_dict: dict, position: int | None = None) -> None:
        rules, _presets, _io, repo = _rules_api()
        rule = rules.rule_from_dict(rule_dict)
        repo.save_rule(self.session.db, rule, position)
        self.reload_rules()

    def add_rule(self) -> None:
        editor = RuleEditor(
            self,
            {"name": "", "conditions": [], "actions": [{"type": "move", "to": "{category}"}]},
            self.context()[0],
            self.context()[1],
        )
        if editor.exec() and editor.result_dict:
            self._save(editor.result_dict, len(self.rules))

    def edit_rule(self) -> None:
        rule = self._selected()
        if rule is None:
            return
        rules = _rules_api()[0]
        editor = RuleEditor(self, rules.rule_to_dict(rule), self.context()[0], self.context()[1])
        if editor.exec() and editor.result_dict:
            self._save(editor.result_dict, self.list.currentRow())

    def duplicate_rule(self) -> None:
        rule = self._selected()
        if rule is None:
            return
        d = _rules_api()[0].rule_to_dict(rule)
        d.pop("uuid", None)
        d["name"] = tr("{name} (copy)").format(name=d["name"])
        self._save(d, self.list.currentRow() + 1)

    def delete_rule(self) -> None:
        rule = self._selected()
        if rule is None:
            return
        if (
            QMessageBox.question(self, tr("Delete rule"), tr("Delete the rule “{n}”?").format(n=rule.name))
            != QMessageBox.StandardButton.Yes
        ):
            return
        _rules_api()[3].delete_rule(self.session.db, rule.uuid)
        self.reload_rules()

    def move_rule(self, step: int) -> None:
        row = self.list.currentRow()
        new = row + step
        if not (0 <= row < len(self.rules) and 0 <= new < len(self.rules)):
            return
        self.rules.insert(new, self.rules.pop(row))
        _rules_api()[3].reorder(self.session.db, [r.uuid for r in self.rules])
        self._rules_loaded(self.rules)
        self.list.setCurrentRow(new)

    def _save_order(self) -> None:
        uuids = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        _rules_api()[3].reorder(self.session.db, uuids)
        by_uuid = {r.uuid: r for r in self.rules}
        self.rules = [by_uuid[u] for u in uuids if u in by_uuid]

    def _item_changed(self, item: QListWidgetItem) -> None:
        uuid = item.data(Qt.ItemDataRole.UserRole)
        enabled = item.checkState() == Qt.CheckState.Checked
        _rules_api()[3].set_enabled(self.session.db, uuid, enabled)
        for r in self.rules:
            if r.uuid == uuid:
                r.enabled = enabled

    def add_preset(self, slug: str) -> None:
        _rules, presets, _io, repo = _rules_api()
        p = presets.preset(slug)
        repo.save_rules(self.session.db, p.build())
        self.message.emit(tr("Added the rules of “{t}”.").format(t=tr(p.title)))
        self.reload_rules()

    def import_rules(self) -> None:
        """Add the rules of a file, as `fileorganizer rules import` does: an imported rule with the
        name of a saved one replaces it (importing a file twice changes nothing). When names
        clash the user is asked first, naming the rules that would be replaced."""
        path, _ = QFileDialog.getOpenFileName(self, tr("Import rules"), "", tr("Rules (*.json *.toml)"))
        if not path:
            return
        _rules, _presets, rules_io, _repo = _rules_api()
        try:
            imported = rules_io.load_rules(path)
        except (ValueError, OSError) as exc:
            self.message.emit(tr("Could not import {f}: {e}").format(f=os.path.basename(path), e=exc))
            return
        clashes = [r.name for r in imported if any(rules_io.same_name(r.name, s.name) for s in self.rules)]
        if clashes and not self._replace_asked(os.path.basename(path), len(imported), clashes):
            return
        db = self.session.db

        def run(_progress):
            from app.jobs.organize import import_rules

            return import_rules(db, path)

        self.session.jobs.start(
            "rules-import",
            run,
            label=tr("Importing rules"),
            on_result=lambda result: self._imported(result, os.path.basename(path)),
            on_error=lambda m, _tb: self.message.emit(tr("Could not import: {e}").format(e=m)),
            quiet=True,
        )

    def _replace_asked(self, file: str, total: int, clashes: list[str]) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(tr("Import rules"))
        names = ", ".join(f"“{n}”" for n in clashes)
        rules = fmt.plural(total, tr("rule"), tr("rules"))
        if len(clashes) == 1:
            text = tr("{file} has {rules}; {names} has the name of a saved rule.")
        else:
            text = tr("{file} has {rules}; {n} of them have the names of saved rules: {names}.")
        box.setText(text.format(file=file, rules=rules, n=fmt.count(len(clashes)), names=names))
        box.setInformativeText(
            tr("Importing replaces the saved rule of the same name with the file's.")
            if len(clashes) == 1
            else tr("Importing replaces the saved rules of the same names with the file's.")
        )
        replace = box.addButton(tr("Import and replace"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(replace)
        box.exec()
        return box.clickedButton() is replace

    def _imported(self, result, file: str) -> None:
        text = tr("Imported {rules} from {f}.").format(
            rules=fmt.plural(result.stored, tr("rule"), tr("rules")), f=file
        )
        if result.replaced:
            text += " " + tr("They replace the saved rules called {names}.").format(
                names=", ".join(f"“{n}”" for n in result.replaced)
            )
        self.message.emit(text)
        self.reload_rules()

    def export_rules(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Export rules"), "rules.toml", tr("Rules (*.toml *.json)")
        )
        if not path:
            return
        try:
            _rules_api()[2].save_rules(path, self.rules)
        except (ValueError, OSError) as exc:
            self.message.emit(tr("Could not export: {e}").format(e=exc))
            return
        rules = fmt.plural(len(self.rules), tr("rule"), tr("rules"))
        self.message.emit(tr("Exported {rules} to {p}").format(rules=rules, p=path))

    def refresh_theme(self) -> None:
        self.list_empty.refresh_icon()
        for i in range(self.list.count()):
            self.list.item(i).setIcon(theme.icon("organizer"))
