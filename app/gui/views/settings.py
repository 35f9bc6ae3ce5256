"""Settings: scanned folders, excluded patterns, default keep policy, trash or permanent delete,
theme, start minimized. Changes are saved as they are made."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app.gui.account import AccountCard
from app.gui.flow import ColumnsLayout
from app.gui.folder_list import FolderList
from app.gui.session import Session
from app.gui.views.categories_editor import CategoriesEditor
from app.gui.views.duplicates import POLICIES
from app.gui.watch_dialog import WatcherSettings
from app.gui.widgets import Card, PageHeader, label

THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


def tr(text: str) -> str:
    return QCoreApplication.translate("Settings", text)


class SettingsView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        prefs = session.prefs
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # the cards reflow into one column instead: the page never scrolls sideways
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("ScrollContent")
        scroll.setWidget(content)
        outer.addWidget(scroll)
        lay = QVBoxLayout(content)
        lay.setContentsMargins(20, 18, 20, 18)
        lay.setSpacing(14)
        lay.addWidget(PageHeader(tr("Settings"), tr("Changes are saved right away.")))
        grid_box = QWidget()
        grid = ColumnsLayout(grid_box, min_width=330, columns=2)

        folders = Card()
        folders.body.addWidget(label(tr("Scanned folders"), "SectionTitle"))
        folders.body.addWidget(
            label(
                tr(
                    "Folders the dashboard, duplicates and reports cover. Removing one "
                    "only stops covering it; no file on disk is touched."
                ),
                "Muted",
                wrap=True,
            )
        )
        self.folder_list = FolderList(session)
        self.folder_list.add_requested.connect(lambda: self.window().choose_folder())
        folders.body.addWidget(self.folder_list)
        grid.add(folders)

        exclude = Card()
        exclude.body.addWidget(label(tr("Excluded patterns"), "SectionTitle"))
        exclude.body.addWidget(
            label(
                tr(
                    "One per line: folder or file names, wildcards allowed "
                    "(e.g. node_modules, *.tmp). Applied at the next scan."
                ),
                "Muted",
                wrap=True,
            )
        )
        self.exclude = QPlainTextEdit("\n".join(prefs.get("exclude")))
        self.exclude.setAccessibleName(tr("Excluded patterns"))
        self.exclude.setMinimumHeight(120)
        self._save_timer = QTimer(self, singleShot=True, interval=500, timeout=self._save_exclude)
        self.exclude.textChanged.connect(self._save_timer.start)
        exclude.body.addWidget(self.exclude)
        self.hidden = QCheckBox(tr("Include hidden files and folders"))
        self.hidden.setChecked(bool(prefs.get("include_hidden")))
        self.hidden.toggled.connect(lambda v: prefs.set("include_hidden", v))
        exclude.body.addWidget(self.hidden)
        grid.add(exclude)

        dupes = Card()
        dupes.body.addWidget(label(tr("Duplicates"), "SectionTitle"))
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        self.policy = QComboBox()
        self.policy.setAccessibleName(tr("Default keep policy"))
        for key, text in POLICIES:
            self.policy.addItem(tr(text).rstrip("…"), key)
        self.policy.setCurrentIndex(max(0, self.policy.findData(prefs.get("keep_policy"))))
        self.policy.currentIndexChanged.connect(
            lambda _i: prefs.set("keep_policy", self.policy.currentData())
        )
        form.addRow(tr("Which copy to keep"), self.policy)
        self.reference = QLabel(prefs.get("reference_folder") or tr("(none chosen)"))
        self.reference.setObjectName("Muted")
        form.addRow(tr("Reference folder"), self.reference)
        dupes.body.addLayout(form)
        self.permanent = QCheckBox(tr("Allow deleting permanently (skips the trash; asks every time)"))
        self.permanent.setAccessibleName(tr("Allow permanent delete"))
        self.permanent.setChecked(bool(prefs.get("permanent_delete")))
        self.permanent.toggled.connect(self._toggle_permanent)
        dupes.body.addWidget(self.permanent)
        dupes.body.addStretch(1)  # a taller neighbour card must not push the title down
        grid.add(dupes)

        look = Card()
        look.body.addWidget(label(tr("Appearance and start"), "SectionTitle"))
        form2 = QFormLayout()
        self.theme_box = QComboBox()
        self.theme_box.setAccessibleName(tr("Theme"))
        for key, text in THEMES:
            self.theme_box.addItem(tr(text), key)
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(prefs.get("theme"))))
        self.theme_box.currentIndexChanged.connect(self._theme_changed)
        form2.addRow(tr("Theme"), self.theme_box)
        look.body.addLayout(form2)
        self.minimized = QCheckBox(tr("Start minimized to the tray"))
        self.minimized.setChecked(bool(prefs.get("start_minimized")))
        self.minimized.toggled.connect(lambda v: prefs.set("start_minimized", v))
        look.body.addWidget(self.minimized)
        # the watcher's: start at login, watched folders; its reads and writes (and its dialog's)
        # run in the window's one job manager, so they queue behind a scan like every other job
        self.watcher = WatcherSettings(session.db, jobs=session.jobs)
        look.body.addWidget(self.watcher)
        log = label(tr("Log file: {p}").format(p=paths.log_file()), "Muted", wrap=True)
        log.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        look.body.addWidget(log)
        look.body.addStretch(1)
        grid.add(look)
        self.account = AccountCard(session)
        grid.add(self.account, full_row=True)
        self.categories = CategoriesEditor(session)
        grid.add(self.categories, full_row=True)
        lay.addWidget(grid_box)
        lay.addStretch(1)

    def _save_exclude(self) -> None:
        patterns = [line.strip() for line in self.exclude.toPlainText().splitlines() if line.strip()]
        self.session.prefs.set("exclude", patterns)

    def _toggle_permanent(self, on: bool) -> None:
        if (
            on
            and QMessageBox.question(
                self,
                tr("Allow permanent delete?"),
                tr(
                    "Files deleted permanently cannot be restored from the trash or undone. The Duplicates "
                    "view will offer “Delete permanently” and ask every time."
                ),
            )
            != QMessageBox.StandardButton.Yes
        ):
            self.permanent.blockSignals(True)
            self.permanent.setChecked(False)
            self.permanent.blockSignals(False)
            return
        self.session.prefs.set("permanent_delete", on)

    def _theme_changed(self) -> None:
        key = self.theme_box.currentData()
        self.session.prefs.set("theme", key)
        theme_obj = QCoreApplication.instance().property("fo_theme_obj")
        if theme_obj is not None:
            theme_obj.set_preference(key)

    def on_shown(self) -> None:
        self.categories.reload()     # they may have changed meanwhile (sync, the command line)
        self.reference.setText(self.session.prefs.get("reference_folder") or tr("(none chosen)"))
        self.policy.blockSignals(True)
        self.policy.setCurrentIndex(max(0, self.policy.findData(self.session.prefs.get("keep_policy"))))
        self.policy.blockSignals(False)

    def refresh_theme(self) -> None:
        self.folder_list.reload()
        self.categories.reload()
