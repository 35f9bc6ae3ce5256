"""The main window: sidebar navigation, the views, the status area, drag and drop, shortcuts.

A view is built the first time it is shown or asked for (``window.views[key]``): building all
six and importing their modules (the Settings page alone pulls in the sync client and the
watcher's rules) took about half of the start-up before the first paint.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QByteArray, QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import theme
from app.gui.account import SyncIndicator
from app.gui.prefs import window_settings
from app.gui.session import Session
from app.gui.status_area import StatusArea
from app.gui.widgets import button, refresh_icons

VIEWS = ("dashboard", "organizer", "duplicates", "reports", "history", "settings")
VIEW_CLASSES = {  # key -> (module, class): imported when the view is first built
    "dashboard": ("app.gui.views.dashboard", "DashboardView"),
    "organizer": ("app.gui.views.organizer", "OrganizerView"),
    "duplicates": ("app.gui.views.duplicates", "DuplicatesView"),
    "reports": ("app.gui.views.reports", "ReportsView"),
    "history": ("app.gui.views.history", "HistoryView"),
    "settings": ("app.gui.views.settings", "SettingsView"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


SIDEBAR_WIDE = 228      # the app title needs it
SIDEBAR_NARROW = 72     # icons only
NARROW_WINDOW = 900     # window widths below this get the narrow sidebar


class MainWindow(QMainWindow):
    """The one window of the app."""

    closing = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle("FileOrganizer Pro")
        self.setWindowIcon(theme.app_icon())
        self.setAcceptDrops(True)
        self.setMinimumSize(QSize(760, 540))  # every view is laid out to work from 800x600 up
        self.hide_on_close = False  # set by the tray: closing the window keeps the app running

        central = QWidget()
        central.setObjectName("Central")
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        body = QHBoxLayout()
        body.setSpacing(0)
        root.addLayout(body, 1)
        body.addWidget(self._sidebar())

        self.stack = QStackedWidget()
        self.pages: dict[str, QScrollArea] = {}  # the views built so far, each in its page
        self.views = _Views(self._build_view)
        body.addWidget(self.stack, 1)

        self.status_area = StatusArea(session.jobs)
        self.sync_indicator = SyncIndicator(session)
        self.status_area.layout().insertWidget(1, self.sync_indicator)
        root.addWidget(self.status_area)
        self.setCentralWidget(central)

        session.message.connect(self.status_area.notify)
        self._shortcuts()
        self._restore()
        theme_obj = QCoreApplication.instance().property("fo_theme_obj")
        if theme_obj is not None:
            theme_obj.changed.connect(self.refresh_theme)

    # ---- layout ----------------------------------------------------------------------------
    def _sidebar(self) -> QWidget:
        side = QFrame()
        side.setObjectName("Sidebar")
        side.setFixedWidth(SIDEBAR_WIDE)
        self.sidebar = side
        lay = QVBoxLayout(side)
        lay.setContentsMargins(12, 16, 12, 14)
        lay.setSpacing(4)
        head = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(28, 28))
        head.addWidget(logo)
        title = QLabel("FileOrganizer Pro")
        title.setObjectName("AppTitle")
        head.addWidget(title, 1)
        lay.addLayout(head)
        sub = QLabel(tr("Keep your folders tidy"))
        sub.setObjectName("AppSubtitle")
        lay.addWidget(sub)
        self._wide_only = [title, sub]

        self.nav = QListWidget()
        self.nav.setObjectName("NavList")
        self.nav.setAccessibleName(tr("Sections"))
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        labels = {
            "dashboard": tr("Dashboard"),
            "organizer": tr("Organizer"),
            "duplicates": tr("Duplicates"),
            "reports": tr("Reports"),
            "history": tr("History"),
            "settings": tr("Settings"),
        }
        for i, key in enumerate(VIEWS):
            item = QListWidgetItem(theme.icon(key), labels[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{labels[key]} (Ctrl+{i + 1})")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, labels[key])
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._on_nav)
        lay.addWidget(self.nav, 1)

        self.add_btn = button(
            tr("Add folder…"), "folder-add", primary=True, tip=tr("Add a folder to scan (Ctrl+O)")
        )
        self.add_btn.clicked.connect(self.choose_folder)
        lay.addWidget(self.add_btn)
        self.scan_btn = button(tr("Scan now"), "scan", tip=tr("Scan every folder again (F5)"))
        self.scan_btn.clicked.connect(self.session.start_scan)
        lay.addWidget(self.scan_btn)
        for btn in (self.add_btn, self.scan_btn):
            btn.setAccessibleName(btn.text())
        self.session.jobs.busy_changed.connect(self._busy_changed)  # bound: disconnected when deleted
        self.session.folders_changed.connect(self._update_scan_button)
        self._update_scan_button()
        return side

    def _fit_sidebar(self) -> None:
        """Below NARROW_WINDOW px the sidebar shows its icons only (names in the tooltips), so an
        800 px window gives the views ~160 px more: the Duplicates table's folders read whole."""
        compact = self.width() < NARROW_WINDOW
        if self.sidebar.width() == (SIDEBAR_NARROW if compact else SIDEBAR_WIDE):
            return
        self.sidebar.setFixedWidth(SIDEBAR_NARROW if compact else SIDEBAR_WIDE)
        for widget in self._wide_only:
            widget.setVisible(not compact)
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            item.setText("" if compact else item.data(Qt.ItemDataRole.AccessibleTextRole))
        for btn in (self.add_btn, self.scan_btn):
            btn.setText("" if compact else btn.accessibleName())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._fit_sidebar()
        super().resizeEvent(event)

    def _busy_changed(self, _busy: bool) -> None:
        self._update_scan_button()

    def _update_scan_button(self) -> None:
        running = self.session.jobs.is_running("scan")
        self.scan_btn.setEnabled(bool(self.session.folders()) and not running)

    def _shortcuts(self) -> None:
        for i, key in enumerate(VIEWS):
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, activated=lambda k=key: self.show_view(k))
        QShortcut(QKeySequence.StandardKey.Open, self, activated=self.choose_folder)
        QShortcut(QKeySequence("F5"), self, activated=self.session.start_scan)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.session.start_scan)
        QShortcut(
            QKeySequence("Esc"),
            self,
            activated=self.status_area.cancel_current,
            context=Qt.ShortcutContext.WindowShortcut,
        )
        QShortcut(QKeySequence.StandardKey.Quit, self, activated=self.quit_app)

    def _build_view(self, key: str) -> QWidget:
        module, name = VIEW_CLASSES[key]
        view = getattr(importlib.import_module(module), name)(self.session)
        # a view taller than a small window scrolls instead of squeezing its rows together
        page = QScrollArea()
        page.setObjectName("ViewPage")
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the list pages fill the window and never scroll as a whole (their table does); the
        # form-like pages take the height their wrapped texts need, and scroll when short
        page.setWidget(_Fit(view) if key in ("duplicates", "history") else view)
        self.pages[key] = page
        self.stack.addWidget(page)
        if key == "dashboard":
            view.navigate.connect(self.show_view)
        elif key == "duplicates" and self.session.duplicates is not None:
            view.set_result(self.session.duplicates_result())  # the scan ended before it was built
        return view

    # ---- navigation ------------------------------------------------------------------------
    def show_view(self, key: str) -> None:
        if key in self.views:
            self.nav.setCurrentRow(VIEWS.index(key))

    def current_view(self) -> str:
        return VIEWS[max(0, self.nav.currentRow())]

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        view = self.views[VIEWS[row]]  # built on first show
        self.stack.setCurrentWidget(self.pages[VIEWS[row]])
        view.on_shown()

    # ---- folders and drops -----------------------------------------------------------------
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Add a folder to scan"), os.path.expanduser("~"))
        if path:
            self.add_folders([path])

    def add_folders(self, paths: list[str]) -> None:
        """Folders from a drop, the dialog or a second start: add them and scan."""
        folders = [p for p in paths if os.path.isdir(p)]
        if folders:
            self.session.add_folders(folders, scan=True)
            if self.current_view() not in ("dashboard", "duplicates"):
                self.show_view("dashboard")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
            self.views["dashboard"].set_drop_active(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self.views["dashboard"].set_drop_active(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.views["dashboard"].set_drop_active(False)
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        folders = [p for p in paths if os.path.isdir(p)]
        files = [p for p in paths if os.path.isfile(p)]
        if not folders and not files:
            event.ignore()
            return
        event.acceptProposedAction()
        if folders:
            self.add_folders(folders)
        if files:
            self.status_area.notify(self._describe_files(files))

    def _describe_files(self, files: list[str]) -> str:
        parents = sorted({os.path.dirname(os.path.abspath(f)) for f in files})
        scanned = self.session.folders()
        inside = [
            p for p in parents if any(p == f or p.startswith(f.rstrip(os.sep) + os.sep) for f in scanned)
        ]
        names = ", ".join(os.path.basename(f) for f in files[:3]) + ("…" if len(files) > 3 else "")
        where = "; ".join(parents[:3]) + ("…" if len(parents) > 3 else "")
        text = (
            tr("{names} is in {where}").format(names=names, where=where)
            if len(files) == 1
            else tr("{names} are in {where}").format(names=names, where=where)
        )
        if parents and len(inside) == len(parents):
            text += " " + tr("(a scanned folder)")
        elif parents:
            text += " " + tr("(drop the folder itself to scan it)")
        return text

    # ---- window state ----------------------------------------------------------------------
    def _restore(self) -> None:
        settings = window_settings()
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1200, 780)
        last = settings.value("view", "dashboard")
        self.show_view(last if last in VIEWS else "dashboard")

    def save_state(self) -> None:
        settings = window_settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("view", self.current_view())
        settings.sync()

    def refresh_theme(self, _name: str = "") -> None:
        for i, key in enumerate(VIEWS):
            self.nav.item(i).setIcon(theme.icon(key))
        refresh_icons(self)
        for view in self.views.built():
            view.refresh_theme()

    def bring_forward(self) -> None:
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    def quit_app(self) -> None:
        self.hide_on_close = False
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self.hide_on_close:
            event.ignore()
            self.hide()
            return
        self.closing.emit()
        event.accept()


class _Views(Mapping):
    """The window's views by key, each built by ``build(key)`` the first time it is asked for."""

    def __init__(self, build: Callable[[str], QWidget]) -> None:
        self._build = build
        self._views: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._views:
            if key not in VIEW_CLASSES:
                raise KeyError(key)
            self._views[key] = self._build(key)
        return self._views[key]

    def __iter__(self) -> Iterator[str]:
        return iter(VIEWS)

    def __len__(self) -> int:
        return len(VIEWS)

    def __contains__(self, key: object) -> bool:
        return key in VIEW_CLASSES

    def built(self) -> list[QWidget]:
        """The views built so far (iterating values() would build them all)."""
        return list(self._views.values())


class _Fit(QWidget):
    """Holds a view in its page, as large as the page's viewport and never below the view's
    minimum. Without a layout it reports no height-for-width, so the page gives the view the
    window's height (scrolling only below its minimum) rather than its preferred height,
    which would make every page scroll in a small window."""

    def __init__(self, view: QWidget) -> None:
        super().__init__()
        self.view = view
        view.setParent(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(0, self.view.minimumSizeHint().height())  # the width is the window's

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.view.setGeometry(self.rect())
        super().resizeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # a page resized while hidden gets its resize late, or not at all: fit on showing too
        self.view.setGeometry(self.rect())
        super().showEvent(event)
