"""Settings > Categories: the built-in categories and the user's own, with add, edit and delete.

A custom category is a name plus extensions it takes over from the built-in ones. The form checks
what is typed as it is typed (``core.scan.custom_categories.validate``, no I/O) and shows the reason
inline; loading and saving run as background jobs (the save re-classifies indexed files).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
)

from app.core.report.style import category_color
from app.core.scan.custom_categories import CategoryError, CustomCategory, split_extensions, validate
from app.gui import fmt, theme
from app.gui.session import Session
from app.gui.widgets import Card, button, label

LABELS = {"documents": "Documents", "images": "Images", "audio": "Audio", "video": "Video",
          "archives": "Archives", "code": "Code", "installers": "Installers", "other": "Other"}
LOAD, SAVE = "categories-load", "categories-save"
ROLE = Qt.ItemDataRole.UserRole


def tr(text: str) -> str:
    return QCoreApplication.translate("Categories", text)


def swatch(category: str) -> QIcon:
    """A small rounded square in the category's colour (the one the report uses)."""
    light, dark = category_color(category)
    pix = QPixmap(12, 12)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(dark if theme.current() == "dark" else light))
    p.drawRoundedRect(QRectF(0.5, 0.5, 11, 11), 3, 3)
    p.end()
    return QIcon(pix)


def _jobs():
    from app.jobs import categories

    return categories


class CategoriesEditor(Card):
    """The Categories card of the Settings view."""

    changed = Signal()          # a custom category was saved or deleted (files re-classified)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list = []
        self.editing: CustomCategory | None = None
        self._tried = False
        self.body.addWidget(label(tr("Categories"), "SectionTitle"))
        self.body.addWidget(label(tr(
            "Files are sorted into categories by extension. Add your own to group extensions your way "
            "(E-books: epub, mobi); they take those extensions over everywhere: dashboard, duplicates, "
            "reports, {category} in rules, and files already scanned."), "Muted", wrap=True))

        self.tree = QTreeWidget()
        self.tree.setObjectName("CategoryList")
        self.tree.setAccessibleName(tr("Categories"))
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([tr("Category"), tr("Extensions")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.edit_selected())
        self.custom_group = QTreeWidgetItem([tr("Your categories")])
        self.builtin_group = QTreeWidgetItem([tr("Built-in")])
        for group in (self.custom_group, self.builtin_group):
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
        self.body.addWidget(self.tree)

        row = QHBoxLayout()
        self.add_btn = button(tr("Add category…"), "plus")
        self.add_btn.clicked.connect(self.start_add)
        self.edit_btn = button(tr("Edit"), "edit")
        self.edit_btn.clicked.connect(self.edit_selected)
        self.delete_btn = button(tr("Delete"), "trash", danger=True)
        self.delete_btn.clicked.connect(self.delete_selected)
        for b in (self.add_btn, self.edit_btn, self.delete_btn):
            row.addWidget(b)
        row.addStretch(1)
        self.body.addLayout(row)

        self.form = QFrame()
        self.form.setObjectName("Card")
        form = QFormLayout(self.form)
        form.setContentsMargins(12, 10, 12, 10)
        self.form_title = label("", "SectionTitle")
        form.addRow(self.form_title)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(tr("Category name"))
        self.name_edit.setPlaceholderText(tr("E-books"))
        self.name_edit.setMaxLength(100)
        form.addRow(tr("Name"), self.name_edit)
        self.ext_edit = QLineEdit()
        self.ext_edit.setAccessibleName(tr("Extensions"))
        self.ext_edit.setPlaceholderText(tr("epub, mobi, azw3"))
        form.addRow(tr("Extensions"), self.ext_edit)
        self.hint = label("", "Muted", wrap=True)
        form.addRow(self.hint)
        self.error = label("", "FieldError", wrap=True)
        self.error.setAccessibleName(tr("Problem"))
        form.addRow(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_btn = button(tr("Cancel"))
        self.cancel_btn.clicked.connect(self.close_form)
        self.save_btn = button(tr("Save"), "apply", primary=True)
        self.save_btn.clicked.connect(self.save)
        buttons.addWidget(self.cancel_btn)
        buttons.addWidget(self.save_btn)
        form.addRow(buttons)
        self.body.addWidget(self.form)
        self.form.hide()
        self.name_edit.textChanged.connect(self._check)
        self.ext_edit.textChanged.connect(self._check)
        self.name_edit.returnPressed.connect(self.save)
        self.ext_edit.returnPressed.connect(self.save)

        self.status = label("", "Muted", wrap=True)
        self.status.hide()
        self.body.addWidget(self.status)
        self._reload_again = False
        session.jobs.finished.connect(self._job_finished)
        self._update_buttons()
        self.reload()

    # ---- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the categories in the background (this also activates the custom ones)."""
        db = self.session.db
        worker = self.session.jobs.start(LOAD, lambda _p: _jobs().overview(db),
                                         label=tr("Loading categories"), on_result=self._loaded, quiet=True)
        self._reload_again = worker is None       # one is running: read again when it is done

    def _job_finished(self, kind: str) -> None:
        if kind == LOAD and self._reload_again:
            self.reload()
        elif kind == SAVE:
            self._update_buttons()
            if self.form.isVisible():
                self._check()

    def _loaded(self, rows) -> None:
        self.rows = list(rows)
        selected = self._selected()
        keep = selected.name if selected else None
        for group in (self.custom_group, self.builtin_group):
            group.takeChildren()
        claimed_by = {e: r.name for r in self.rows if r.custom for e in r.extensions}
        for r in self.rows:
            if r.custom:
                item = QTreeWidgetItem([r.name, " ".join(r.extensions)])
                self.custom_group.addChild(item)
            else:
                exts = " ".join(r.extensions) if r.extensions else tr("anything no other category takes")
                item = QTreeWidgetItem([tr(LABELS.get(r.name, r.name)), exts])
                item.setForeground(1, theme.palette_color("muted"))
                self.builtin_group.addChild(item)
                if r.claimed:
                    moved = ", ".join(f"{e} → {claimed_by.get(e, '?')}" for e in r.claimed)
                    item.setToolTip(1, tr("Taken by your categories: {m}").format(m=moved))
            item.setIcon(0, swatch(r.name))
            item.setData(0, ROLE, r)
            if item.toolTip(1) == "":
                item.setToolTip(1, " ".join(r.extensions))
            if r.name == keep:
                item.setSelected(True)
        if not self.custom_group.childCount():
            empty = QTreeWidgetItem([tr("None yet: use “Add category…”")])
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
            empty.setForeground(0, theme.palette_color("muted"))
            self.custom_group.addChild(empty)
        self.tree.expandAll()
        self._fit_height()
        self._update_buttons()

    def _fit_height(self) -> None:
        """Tall enough for every row: the list is short and the page scrolls as a whole."""
        rows = sum(1 + g.childCount() for g in (self.custom_group, self.builtin_group))
        row_h = max(self.tree.sizeHintForRow(0), self.tree.fontMetrics().height() + 6)
        frame = 2 * self.tree.frameWidth() + self.tree.header().sizeHint().height() + 6
        self.tree.setFixedHeight(min(rows * row_h + frame, 640))

    # ---- selection -------------------------------------------------------------------------
    def _selected(self):
        items = self.tree.selectedItems()
        return items[0].data(0, ROLE) if items else None

    def select(self, name: str) -> bool:
        """Select a category by name (custom or built-in key); False when there is none."""
        for group in (self.custom_group, self.builtin_group):
            for i in range(group.childCount()):
                item = group.child(i)
                row = item.data(0, ROLE)
                if row is not None and row.name == name:
                    self.tree.setCurrentItem(item)
                    return True
        return False

    def _update_buttons(self) -> None:
        row = self._selected()
        custom = bool(row and row.custom)
        busy = self.session.jobs.is_running(SAVE)
        self.edit_btn.setEnabled(custom and not busy)
        self.delete_btn.setEnabled(custom and not busy)
        self.add_btn.setEnabled(not busy)
        tip = "" if custom or row is None else tr("Built-in categories cannot be changed; add your own.")
        self.edit_btn.setToolTip(tip)
        self.delete_btn.setToolTip(tip)

    # ---- the form --------------------------------------------------------------------------
    def start_add(self) -> None:
        self._open(None, tr("New category"), "", "")

    def edit_selected(self) -> None:
        row = self._selected()
        if row is None or not row.custom:
            return
        self._open(CustomCategory(row.name, row.extensions, row.uuid), tr("Edit “{n}”").format(n=row.name),
                   row.name, ", ".join(e.lstrip(".") for e in row.extensions))

    def _open(self, editing: CustomCategory | None, title: str, name: str, exts: str) -> None:
        self.editing = editing
        self._tried = False
        self.form_title.setText(title)
        self.name_edit.setText(name)
        self.ext_edit.setText(exts)
        self.form.show()
        self.status.hide()
        self._check()
        self.name_edit.setFocus()

    def close_form(self) -> None:
        self.form.hide()
        self.editing = None

    def _others(self) -> list[CustomCategory]:
        uuid = self.editing.uuid if self.editing else None
        return [CustomCategory(r.name, r.extensions, r.uuid) for r in self.rows
                if r.custom and r.uuid != uuid]

    def _check(self) -> CustomCategory | None:
        """Validate the form as typed: the Save button, the inline reason and what it would do."""
        try:
            cat = validate(self.name_edit.text(), split_extensions(self.ext_edit.text()), self._others())
        except CategoryError as exc:
            typed = self._tried or self.name_edit.text().strip() and self.ext_edit.text().strip()
            self._show_error(exc.message if typed else "")
            self.hint.hide()
            self.save_btn.setEnabled(False)
            return None
        self._show_error("")
        self.hint.setText(self._effect(cat))
        self.hint.show()
        self.save_btn.setEnabled(not self.session.jobs.is_running(SAVE))
        return cat

    def _effect(self, cat: CustomCategory) -> str:
        """What saving would change: 'Takes .epub, .mobi from Documents. Gives .azw3 back to Other.'"""
        builtin = {e: r.name for r in self.rows if not r.custom for e in (*r.extensions, *r.claimed)}
        had = self.editing.extensions if self.editing else ()

        def by_builtin(exts, text: str) -> str:
            groups: dict[str, list[str]] = {}
            for ext in exts:
                groups.setdefault(LABELS.get(builtin.get(ext, "other"), "Other"), []).append(ext)
            return "; ".join(text.format(exts=", ".join(e), cat=tr(name)) for name, e in groups.items())

        taken = [e for e in cat.extensions if e not in had]
        given = [e for e in had if e not in cat.extensions]
        parts = []
        if taken:
            parts.append(tr("Takes {what}.").format(what=by_builtin(taken, tr("{exts} from {cat}"))))
        if given:
            parts.append(tr("Gives {what}.").format(what=by_builtin(given, tr("{exts} back to {cat}"))))
        return " ".join(parts) or tr("The extensions stay as they are.")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setStyleSheet(f"color: {theme.palette_color('danger').name()};")
        self.error.setVisible(bool(text))

    def save(self) -> None:
        self._tried = True
        cat = self._check()
        if cat is None or self.session.jobs.is_running(SAVE):
            return
        db, editing = self.session.db, self.editing
        exts = list(cat.extensions)

        def run(_progress):
            jobs = _jobs()
            try:
                if editing is None:
                    return jobs.add(db, cat.name, exts)
                return jobs.edit(db, editing.uuid, exts, cat.name)
            except CategoryError as exc:     # changed meanwhile (another window, the CLI, sync)
                return exc

        verb = tr("Added") if editing is None else tr("Saved")
        self._run(run, lambda change: self._saved(change, verb))

    def delete_selected(self) -> None:
        row = self._selected()
        if row is None or not row.custom or not self.confirm_delete(row):
            return
        db, key = self.session.db, row.uuid

        def run(_progress):
            try:
                return _jobs().remove(db, key)
            except CategoryError as exc:
                return exc

        self._run(run, lambda change: self._saved(change, tr("Deleted")))

    def confirm_delete(self, row) -> bool:
        """Ask before deleting (files stay where they are; only their category changes)."""
        answer = QMessageBox.question(
            self, tr("Delete category?"),
            tr("Delete “{n}”? Its extensions ({e}) go back to their built-in categories. "
               "No file is moved.").format(n=row.name, e=" ".join(row.extensions)))
        return answer == QMessageBox.StandardButton.Yes

    def _run(self, fn, done) -> None:
        self.save_btn.setEnabled(False)
        worker = self.session.jobs.start(SAVE, fn, label=tr("Saving categories"), on_result=done,
                                         on_error=self._failed, quiet=True, owner=self)  # done: a lambda
        if worker is not None:
            self._update_buttons()

    def _saved(self, change, verb: str) -> None:
        if isinstance(change, CategoryError):
            self.form.show()
            self._show_error(change.message)
            self._update_buttons()
            return
        self.close_form()
        n = change.files
        files = fmt.plural(n, tr("indexed file is"), tr("indexed files are"))
        self.status.setText(tr("{verb} “{name}”. {files} now in their new category.").format(
            verb=verb, name=change.category.name, files=files) if n else
            tr("{verb} “{name}”.").format(verb=verb, name=change.category.name))
        self.status.show()
        self.reload()
        self._update_buttons()
        self.changed.emit()
        self.session.index_changed.emit()     # the dashboard and reports show the new categories

    def _failed(self, message: str, _tb: str) -> None:
        self._show_error(tr("Could not save: {m}").format(m=message))
        self._update_buttons()
