"""Reports: choose folders and a format (HTML, CSV, JSON), export in the background, then open
the report in the default browser or reveal it in the file manager."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QCoreApplication, QEvent, QKeyCombination, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QStackedWidget,
    QWidget,
)

from app import paths
from app.gui import fmt, theme
from app.gui.desktop import open_file, reveal_in_file_manager
from app.gui.flow import FlowLayout
from app.gui.models.rows import Column, RowsModel
from app.gui.session import Session
from app.gui.widgets import Banner, Card, EmptyState, PageHeader, PageLayout, button, label, table

FORMATS = (
    ("html", "HTML", "A self-contained page with charts; opens in any browser."),
    ("csv", "CSV", "One row per file, for spreadsheets."),
    ("json", "JSON", "Every total and list, for scripts."),
)
REPORT = "report"


def tr(text: str) -> str:
    return QCoreApplication.translate("Reports", text)


class ReportsView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.last_path: str | None = None
        lay = PageLayout(self)
        lay.setContentsMargins(20, 18, 20, 12)
        lay.setSpacing(12)
        lay.addWidget(
            PageHeader(
                tr("Reports"),
                tr(
                    "Export what the index knows about your folders: totals, "
                    "categories, age, largest files and folders, duplicates."
                ),
            )
        )
        self.banner = Banner()
        lay.addWidget(self.banner)
        self.pages = QStackedWidget()
        add = button(tr("Add folder…"), "folder-add", primary=True)
        add.clicked.connect(lambda: self.window().choose_folder())
        self.empty = EmptyState(
            "reports",
            tr("No folders to report on"),
            tr("Add a folder and scan it first; then choose the folders and the format here and export."),
            add,
        )
        self.pages.addWidget(self.empty)
        body = QWidget()
        self.pages.addWidget(body)
        lay.addWidget(self.pages, 1)

        row = self.body_row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        left = Card()
        left.body.addWidget(label(tr("Folders"), "SectionTitle"))
        left.body.addWidget(label(tr("Check the folders the report covers."), "Muted", wrap=True))
        self.folders = QListWidget()
        self.folders.setAccessibleName(tr("Folders in the report"))
        self.folders.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the full path is the tooltip
        self.folders.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.folders.setMinimumHeight(3 * self.folders.fontMetrics().height())  # a list: it scrolls
        left.body.addWidget(self.folders, 1)
        row.addWidget(left, 1)

        right = Card()
        # one form: the format's three choices on one line and what the chosen one is, then the
        # file; at 800x600 the page fits without scrolling (a radio and its sentence each took
        # a line before)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        choices = QHBoxLayout()
        choices.setSpacing(14)
        self.format_group = QButtonGroup(self)
        for i, (key, name, desc) in enumerate(FORMATS):
            radio = QRadioButton(name)
            radio.setProperty("format", key)
            radio.setAccessibleName(name)
            radio.setToolTip(tr(desc))
            self.format_group.addButton(radio, i)
            choices.addWidget(radio)
        choices.addStretch(1)
        form.addRow(label(tr("Format"), "SectionTitle"), choices)
        self.format_about = label("", "Muted", wrap=True)  # what the chosen format is for
        self.format_about.setAccessibleName(tr("About the format"))
        form.addRow("", self.format_about)
        self.format_group.button(0).setChecked(True)
        self.format_group.idToggled.connect(lambda _i, on: on and self._format_changed())
        path_row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName(tr("Report file"))
        path_row.addWidget(self.path, 1)
        browse = button(tr("Choose…"), "folder-open")
        browse.clicked.connect(self._browse)
        path_row.addWidget(browse)
        form.addRow(label(tr("Save as"), "SectionTitle"), path_row)
        right.body.addLayout(form)
        actions_box = QWidget()
        actions = FlowLayout(actions_box)  # wraps in a narrow window
        self.export_btn = button(
            tr("Export report"), "export", primary=True, tip=tr("Write the report (Ctrl+E)")
        )
        # a page shortcut: the button's own would wait for an animation, and a line edit takes
        # Ctrl+E (end of line on Linux) first, so the file name field lets it through below
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.export)
        self.path.installEventFilter(self)
        self.export_btn.clicked.connect(self.export)
        actions.add(self.export_btn)
        self.open_btn = button(tr("Open in browser"), "browser")
        self.open_btn.clicked.connect(lambda: self.last_path and open_file(self.last_path))
        self.reveal_btn = button(tr("Show in folder"), "reveal")
        self.reveal_btn.clicked.connect(lambda: self.last_path and reveal_in_file_manager(self.last_path))
        actions.add(self.open_btn)
        actions.add(self.reveal_btn)
        right.body.addWidget(actions_box)
        right.body.addSpacing(6)
        right.body.addWidget(label(tr("Exported this session"), "SectionTitle"))
        self.exports = RowsModel(
            [
                Column(tr("File"), lambda r: os.path.basename(r[1]), tooltip=lambda r: r[1]),
                Column(tr("Format"), lambda r: r[2].upper()),
                Column(tr("Size"), lambda r: fmt.size(r[3]), align_right=True),
                Column(tr("When"), lambda r: fmt.date(r[0])),
            ]
        )
        self.exports_view = table(self.exports, stretch=0, sortable=False, name=tr("Exported reports"))
        self.exports_view.setColumnWidth(1, 70)
        self.exports_view.setColumnWidth(2, 90)
        self.exports_view.setColumnWidth(3, 140)
        self.exports_view.doubleClicked.connect(lambda i: open_file(self.exports.row(i)[1]))
        right.body.addWidget(self.exports_view, 1)
        self.exports_empty = label(
            tr("Reports you export appear here. Double-click one to open it."), "Muted", wrap=True
        )
        right.body.addWidget(self.exports_empty)
        right.body.addStretch(0)
        self.exports_view.hide()
        row.addWidget(right, 2)
        session.folders_changed.connect(self._reload_folders)
        self._reload_folders()
        self._format_changed()
        self._update_buttons()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """The folders beside the export card when there is room, above it otherwise."""
        direction = QHBoxLayout.Direction.LeftToRight if event.size().width() >= 760 else (
            QHBoxLayout.Direction.TopToBottom
        )
        if self.body_row.direction() != direction:
            self.body_row.setDirection(direction)
        super().resizeEvent(event)

    def format(self) -> str:
        return self.format_group.checkedButton().property("format")

    def _format_changed(self) -> None:
        self.format_about.setText(tr({key: desc for key, _n, desc in FORMATS}[self.format()]))
        self._suggest_path()

    def _suggest_path(self) -> None:
        """A name for a new report; after a format change, the typed name with the new ending."""
        ext = self.format()
        current = self.path.text().strip()
        if current:
            stem, old = os.path.splitext(current)
            known = {f".{key}" for key, _n, _d in FORMATS}
            self.path.setText((stem if old.lower() in known else current) + f".{ext}")
            return
        name = f"fileorganizer-report-{time.strftime('%Y-%m-%d')}.{ext}"
        self.path.setText(os.path.join(_default_folder(), name))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        """Let Ctrl+E reach the page's shortcut while the file name field has the focus."""
        if (
            obj is self.path
            and event.type() == QEvent.Type.ShortcutOverride
            and event.keyCombination() == QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_E)
        ):
            return True  # not accepted by the field: the shortcut fires
        return super().eventFilter(obj, event)

    def _browse(self) -> None:
        ext = self.format()
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save report as"), self.path.text(), f"{ext.upper()} (*.{ext})"
        )
        if path:
            self.path.setText(path)

    def _reload_folders(self) -> None:
        checked = self.checked_folders() if self.folders.count() else None
        self.folders.clear()
        for f in self.session.folders():
            item = QListWidgetItem(theme.icon("folder"), f)
            item.setToolTip(f)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if checked is None or f in checked else Qt.CheckState.Unchecked
            )
            self.folders.addItem(item)
        self.pages.setCurrentIndex(1 if self.session.folders() else 0)

    def checked_folders(self) -> list[str]:
        return [
            self.folders.item(i).text()
            for i in range(self.folders.count())
            if self.folders.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update_buttons(self) -> None:
        have = bool(self.last_path and os.path.exists(self.last_path))
        self.open_btn.setEnabled(have)
        self.reveal_btn.setEnabled(have)

    def export(self) -> None:
        folders = self.checked_folders()
        out = self.path.text().strip()
        if not folders:
            self.banner.show_message(tr("Check at least one folder."))
            return
        if not out:
            self.banner.show_message(tr("Choose where to save the report."))
            return
        db, kind = self.session.db, self.format()
        out = os.path.abspath(os.path.expanduser(out))
        if os.path.exists(out):
            answer = QMessageBox.question(
                self,
                tr("Replace the report?"),
                tr("{name} exists already in {folder}. Replace it?").format(
                    name=os.path.basename(out), folder=os.path.dirname(out)
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        exclude = tuple(self.session.prefs.get("exclude"))

        def run(progress):
            from app.jobs.report import export_report

            export_report(db, folders, out, progress=progress, fmt=kind, exclude=exclude)
            return out, kind

        self.banner.hide()
        self.session.jobs.start(
            REPORT,
            run,
            label=tr("Exporting report"),
            on_result=self._done,
            on_error=self._failed,
        )

    def _failed(self, message: str, _tb: str) -> None:
        self.banner.show_message(tr("Export failed: {m}").format(m=message))

    def _done(self, value: tuple[str, str]) -> None:
        path, kind = value
        self.last_path = path
        size = os.path.getsize(path) if os.path.exists(path) else 0
        others = [r for r in self.exports.rows if r[1] != path]  # a replaced file is listed once
        self.exports.set_rows([(time.time(), path, kind, size), *others])
        self.exports_view.show()
        self.exports_empty.hide()
        self._update_buttons()
        if kind == "html":
            self.banner.show_message(
                tr("Report saved to {p}").format(p=path), tr("Open in browser"), lambda: open_file(path)
            )
        else:
            self.banner.show_message(
                tr("Report saved to {p}").format(p=path),
                tr("Show in folder"),
                lambda: reveal_in_file_manager(path),
            )

    def on_shown(self) -> None:
        self._reload_folders()

    def refresh_theme(self) -> None:
        self.empty.refresh_icon()
        self._reload_folders()


def _default_folder() -> str:
    for candidate in (os.path.expanduser("~/Documents"), os.path.expanduser("~")):
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return str(paths.data_dir())
