"""The system tray icon: the folder watcher's face while the window is closed.

``create_tray(controller)`` is called by ``app.gui.application`` once the main window exists.
The Tray wires the watcher service to the window: what the watcher did is summarized in one
tray message per burst (clicking it opens History), Undo last runs in the window's job manager,
and closing the window keeps the app in the tray while folders are watched. The icon and the
menu are laid out by ``app.gui.tray_menu``; revealing a file is ``app.gui.tray_reveal``. Where
the desktop has no tray the app says so and the watcher runs while the window is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from app.gui.tray_menu import app_tray_icon, files_text, fill_menu, folders_text, tooltip
from app.gui.tray_reveal import reveal_in_file_manager
from app.gui.write_queue import WriteQueue
from app.jobs.watch import BatchResult, Summary, WatchService
from app.jobs.watched_folders import WatchedFolder

log = logging.getLogger(__name__)
HINT_KEY = "watch.tray_hint_shown"
UNDO = "undo"                    # the window's kind for undo jobs: one undo at a time, anywhere


def tr(text: str) -> str:
    return QCoreApplication.translate("Tray", text)


class Tray(QObject):
    """Tray icon + the watcher service. Watcher callbacks arrive on its thread; signals bring them here."""

    batch_done = Signal(object)
    summary_ready = Signal(object)
    folder_status = Signal(object, str, str)

    def __init__(
        self,
        db,
        *,
        window=None,
        show_window: Callable[[], None] | None = None,
        show_history: Callable[[], None] | None = None,
        quit_app: Callable[[], None] | None = None,
        service: WatchService | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.db, self.window = db, window
        self._show_window = show_window or (lambda: window.show() if window is not None else None)
        self._show_history = show_history or self._show_window
        self._quit = quit_app or QApplication.quit
        self._notify_window = notify
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.messages: list[tuple[str, str]] = []  # (title, text) shown, newest last
        self.undoing = False
        # the window's job manager when there is a window with a session (its status area shows
        # the undo, and the views hear of it); else one of our own: never a thread of our own
        session = getattr(window, "session", None)
        self.session = session if hasattr(session, "jobs") else None
        self.writes = WriteQueue(getattr(self.session, "jobs", None), "tray-settings", parent=self)
        self.jobs = self.writes.jobs
        self._hint_shown = bool(db.get_setting(HINT_KEY, False))
        self.batch_done.connect(self._on_batch)
        self.summary_ready.connect(self._on_summary)
        self.folder_status.connect(self._on_status)
        self.service = service or WatchService(
            db,
            on_batch=self.batch_done.emit,
            on_summary=self.summary_ready.emit,
            on_status=self.folder_status.emit,
        )
        self.service.start()
        self.icon: QSystemTrayIcon | None = None
        self.menu = QMenu()
        if self.available:
            self._make_icon()
        if not self.available:
            text = tr("This desktop has no system tray: the folder watcher runs while the window is open.")
            log.warning(text)
            if notify is not None:
                notify(text)
        if window is not None:
            window.installEventFilter(self)
        self.update_close_behaviour()
        app = QApplication.instance()
        if app is not None:
            app.setProperty("fo_tray", self)        # the Settings view reloads it after changes

    # --- icon and menu ------------------------------------------------------------------------

    def _make_icon(self) -> None:
        self._icon = app_tray_icon()
        self.icon = QSystemTrayIcon(self._icon, self)
        self.menu.aboutToShow.connect(self.build_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self.open_history)
        self.build_menu()
        self.icon.show()

    def _update_icon(self) -> None:
        if self.icon is None:
            return
        paused = self.service.paused
        self.icon.setToolTip(tooltip(paused, len(self.service.folders())))
        if paused:
            self.icon.setIcon(QIcon(self._icon.pixmap(64, 64, QIcon.Mode.Disabled)))
        else:
            self.icon.setIcon(self._icon)

    def build_menu(self) -> None:
        """(Re)build the menu from the current state; runs every time the menu opens."""
        fill_menu(self.menu, self)
        self._update_icon()

    def actions_by_text(self) -> dict[str, QAction]:
        return {a.text(): a for a in self.menu.actions() if not a.isSeparator()}

    # --- menu actions -------------------------------------------------------------------------

    def open_window(self) -> None:
        self._show_window()

    def edit_folders(self) -> None:
        """The Watched folders dialog (non-modal; changes apply at once)."""
        from app.gui.watch_dialog import WatchDialog

        if getattr(self, "dialog", None) is None:
            self.dialog = WatchDialog(self.db, on_changed=self.reload, jobs=self.jobs)
            self.dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def open_history(self) -> None:
        self._show_history()

    def reveal(self, path: str) -> None:
        reveal_in_file_manager(path)

    def toggle_pause(self) -> None:
        """The watcher pauses or resumes at once; the setting is stored in a worker."""
        if self.service.paused:
            self.service.resume(remember=False)
        else:
            self.service.pause(remember=False)
        paused = self.service.paused
        self.writes.run(lambda: self.service.remember_paused(paused))
        self._update_icon()

    def undo_last(self) -> None:
        """Undo the watcher's newest run as an undo job of the window's job manager (one undo at a
        time, shown in the status area); the result comes as a tray message and every view hears
        of it."""
        if self.undoing:
            return
        if self.jobs.is_running(UNDO):
            self.notify(tr("Undo"), tr("An undo is running already."))
            return
        service = self.service

        def work(_progress) -> tuple[str, list[int]]:
            try:
                result = service.undo_last()
                if result is None:
                    return tr("Nothing to undo."), []
                text = tr("Undid {n}.").format(n=files_text(result.done))
                if result.problems:
                    text += " " + tr("{n} could not be undone.").format(n=files_text(len(result.problems)))
                return text, list(result.entries)
            except Exception as exc:  # reported as a tray message, never raised into the event loop
                log.exception("undo failed")
                return tr("Undo failed: {err}").format(err=exc), []

        started = self.jobs.start(UNDO, work, label=tr("Undoing"), on_result=self._on_undo_finished,
                                  on_cancelled=self._on_undo_cancelled)
        self.undoing = started is not None

    def quit(self) -> None:
        self._quit()

    def hide(self) -> None:
        """Stop watching and remove the icon (the app is quitting)."""
        self.service.stop()
        if self.window is not None:
            self.window.removeEventFilter(self)
        if self.icon is not None:
            self.icon.hide()

    # --- watcher callbacks (on the GUI thread) ------------------------------------------------

    def notify(
        self,
        title: str,
        text: str,
        kind: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Information,
    ) -> None:
        self.messages.append((title, text))
        if self.icon is not None:
            self.icon.showMessage(title, text, kind, 8000)
        elif self._notify_window is not None:
            self._notify_window(text)

    def _on_batch(self, batch: BatchResult) -> None:
        session = self.session
        if batch.entry_id is not None and session is not None and hasattr(session, "history_changed"):
            session.history_changed.emit()

    def _on_summary(self, summary: Summary) -> None:
        self.notify(tr("FileOrganizer Pro"), summary.text())

    def _on_status(self, folder: WatchedFolder, status: str, text: str) -> None:
        kind = (
            QSystemTrayIcon.MessageIcon.Warning
            if status == "missing"
            else QSystemTrayIcon.MessageIcon.Information
        )
        self.notify(tr("Watched folder"), text, kind)

    def _on_undo_finished(self, value: tuple[str, list[int]]) -> None:
        text, entries = value
        self.undoing = False
        self.notify(tr("Undo"), text)
        session = self.session
        if session is not None and hasattr(session, "history_changed"):
            session.history_changed.emit()
        if entries and hasattr(session, "undone"):
            session.index_changed.emit()
            for entry_id in entries:
                session.undone.emit(entry_id, text)
            session.start_scan()  # files put back: the duplicate list is rebuilt

    def _on_undo_cancelled(self) -> None:
        self.undoing = False

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_window()

    # --- closing the window -------------------------------------------------------------------

    def update_close_behaviour(self) -> None:
        """Closing the window keeps the app in the tray while folders are watched."""
        if self.window is not None and hasattr(self.window, "hide_on_close"):
            self.window.hide_on_close = self.available and bool(self.service.folders())

    def reload(self) -> None:
        """Apply changed watched-folder settings."""
        self.service.reload()
        self.update_close_behaviour()
        self._update_icon()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if (
            obj is self.window
            and event.type() == QEvent.Type.Close
            and getattr(self.window, "hide_on_close", False)
            and not self._hint_shown
        ):
            self._hint_shown = True              # said once, ever: remembered in a worker
            db = self.db
            self.writes.run(lambda: db.set_setting(HINT_KEY, True))
            self.notify(
                tr("FileOrganizer Pro is still running"),
                tr(
                    "It keeps watching {folders} from the tray. Choose Quit in the tray menu to stop."
                ).format(folders=folders_text(len(self.service.folders()))),
            )
        return False


def create_tray(controller) -> Tray:
    """The hook app.gui.application calls once the main window exists."""
    window = controller.window

    def show_history() -> None:
        controller.show_window()
        if hasattr(window, "show_view"):
            window.show_view("history")

    status = getattr(window, "status_area", None)
    return Tray(
        controller.db,
        window=window,
        show_window=controller.show_window,
        show_history=show_history,
        quit_app=controller.quit,
        notify=status.notify if status is not None else None,
    )
