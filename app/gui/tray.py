"""The system tray icon: the folder watcher's face while the window is closed.

``create_tray(controller)`` is called by ``app.gui.application`` once the main window exists.
The menu is built each time it opens: Open FileOrganizer Pro, Pause/Resume watching, Scan now,
recent activity (click reveals the file), Undo last, Quit. What the watcher did is summarized in
one tray message per burst; clicking it opens History. Where the desktop has no tray the app
says so and the watcher runs while the window is open.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from app.jobs.watch import BatchResult, Summary, WatchService
from app.platform.desktop import reveal_command
from app.store.watched import WatchedFolder

log = logging.getLogger(__name__)
HINT_KEY = "watch.tray_hint_shown"
RECENT = 6


def tr(text: str) -> str:
    return QCoreApplication.translate("Tray", text)


def _show_items_command(path: str) -> list[str] | None:
    """The D-Bus call asking the desktop's file manager to show `path` selected (freedesktop)."""
    uri = Path(os.path.abspath(path)).as_uri()  # percent-encoded, so no quote can break out
    if shutil.which("gdbus"):
        return [
            "gdbus",
            "call",
            "--session",
            "--dest",
            "org.freedesktop.FileManager1",
            "--object-path",
            "/org/freedesktop/FileManager1",
            "--method",
            "org.freedesktop.FileManager1.ShowItems",
            f"['{uri}']",
            "",
        ]
    if shutil.which("dbus-send"):
        return [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.FileManager1",
            "/org/freedesktop/FileManager1",
            "org.freedesktop.FileManager1.ShowItems",
            f"array:string:{uri}",
            "string:",
        ]
    return None


def reveal_in_file_manager(path: str) -> None:
    """Show `path` selected in the system file manager (its folder when selecting is not possible)."""
    native = reveal_command(path)    # Explorer (Windows), Finder (macOS)
    if native is not None:
        subprocess.Popen(native)
        return
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    command = _show_items_command(path)

    def run() -> None:  # off the GUI thread: D-Bus may take a moment or time out
        if command is not None:
            try:
                if subprocess.run(command, capture_output=True, timeout=5).returncode == 0:
                    return
            except (OSError, subprocess.TimeoutExpired):
                pass
        if shutil.which("xdg-open"):
            subprocess.Popen(["xdg-open", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            log.warning("no file manager to show %s", path)

    threading.Thread(target=run, name="reveal", daemon=True).start()


def _fallback_icon() -> QIcon:
    pix = QPixmap(64, 64)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#2f6fdf"))
    p.drawRoundedRect(4, 14, 56, 42, 8, 8)
    p.drawRoundedRect(4, 8, 26, 14, 5, 5)
    p.setBrush(QColor("#ffffff"))
    for i, w in enumerate((34, 26, 18)):
        p.drawRoundedRect(14, 26 + i * 9, w, 5, 2, 2)
    p.end()
    return QIcon(pix)


def app_tray_icon() -> QIcon:
    """The app's icon (from the theme when the GUI provides one)."""
    try:
        from app.gui.theme import app_icon

        icon = app_icon()
        if not icon.isNull():
            return icon
    except Exception:
        log.debug("theme icon not available", exc_info=True)
    return _fallback_icon()


class Tray(QObject):
    """Tray icon + the watcher service. Watcher callbacks arrive on its thread; signals bring them here."""

    batch_done = Signal(object)
    summary_ready = Signal(object)
    folder_status = Signal(object, str, str)
    undo_finished = Signal(str, object)  # the sentence, the history entries undone

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
        self._undoing = False
        self.batch_done.connect(self._on_batch)
        self.summary_ready.connect(self._on_summary)
        self.folder_status.connect(self._on_status)
        self.undo_finished.connect(self._on_undo_finished)
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
        tip = (
            tr("FileOrganizer Pro: watching paused")
            if paused
            else tr("FileOrganizer Pro: watching {folders}").format(
                folders=_folders(len(self.service.folders()))
            )
        )
        self.icon.setToolTip(tip)
        if paused:
            self.icon.setIcon(QIcon(self._icon.pixmap(64, 64, QIcon.Mode.Disabled)))
        else:
            self.icon.setIcon(self._icon)

    def build_menu(self) -> None:
        """(Re)build the menu from the current state; runs every time the menu opens."""
        menu = self.menu
        menu.clear()
        menu.addAction(tr("Open FileOrganizer Pro"), self.open_window)
        menu.addSeparator()
        pause = menu.addAction(
            tr("Resume watching") if self.service.paused else tr("Pause watching"), self.toggle_pause
        )
        pause.setEnabled(bool(self.service.folders()))
        scan = menu.addAction(tr("Scan now"), self.service.scan_now)
        scan.setEnabled(bool(self.service.folders()) and not self.service.paused)
        menu.addSeparator()
        recent = self.service.recent(RECENT)
        header = menu.addAction(tr("Recent activity") if recent else tr("No recent activity"))
        header.setEnabled(False)
        for item in recent:
            shown = item.dst if item.state == "done" and item.dst else item.src
            verb = {
                "move": tr("Moved"),
                "copy": tr("Copied"),
                "rename": tr("Renamed"),
                "trash": tr("Trashed"),
            }.get(item.kind, item.kind.capitalize())
            if item.state == "undone":
                verb = tr("Undone")
            target = os.path.basename(os.path.dirname(shown)) if item.dst else ""
            text = f"{verb} {os.path.basename(item.src)}" + (f" → {target}" if target else "")
            action = menu.addAction(text, lambda p=shown: self.reveal(p))
            action.setToolTip(shown)
            action.setEnabled(os.path.lexists(shown) and item.kind != "trash")
        menu.addSeparator()
        undo = menu.addAction(tr("Undo last"), self.undo_last)
        undo.setEnabled(not self._undoing and any(a.state == "done" for a in recent))
        menu.addAction(tr("Watched folders…"), self.edit_folders)
        menu.addSeparator()
        menu.addAction(tr("Quit"), self.quit)
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
            self.dialog = WatchDialog(self.db, on_changed=self.reload)
            self.dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def open_history(self) -> None:
        self._show_history()

    def reveal(self, path: str) -> None:
        reveal_in_file_manager(path)

    def toggle_pause(self) -> None:
        if self.service.paused:
            self.service.resume()
        else:
            self.service.pause()
        self._update_icon()

    def undo_last(self) -> None:
        """Undo the watcher's newest run in the background; the result comes as a tray message.
        With the main window's session it runs in the window's job manager (one undo at a time,
        shown in the status area); the window's views then show the state after it."""
        if self._undoing:
            return
        jobs = getattr(getattr(self.window, "session", None), "jobs", None)
        if jobs is not None and jobs.is_running("undo"):
            self.notify(tr("Undo"), tr("An undo is running already."))
            return
        self._undoing = True

        def work(_progress=None) -> tuple[str, list[int]]:
            try:
                result = self.service.undo_last()
                if result is None:
                    return tr("Nothing to undo."), []
                text = tr("Undid {n}.").format(n=_files(result.done))
                if result.problems:
                    text += " " + tr("{n} could not be undone.").format(n=_files(len(result.problems)))
                return text, list(result.entries)
            except Exception as exc:  # reported, never raised into the event loop
                log.exception("undo failed")
                return tr("Undo failed: {err}").format(err=exc), []

        if jobs is not None:
            jobs.start(
                "undo",
                work,
                label=tr("Undoing"),
                on_result=lambda value: self.undo_finished.emit(*value),
                owner=self,
            )
        else:
            thread = threading.Thread(target=lambda: self.undo_finished.emit(*work()), name="tray-undo")
            thread.daemon = True
            thread.start()

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
        session = getattr(self.window, "session", None)
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

    def _on_undo_finished(self, text: str, entries: list[int]) -> None:
        self._undoing = False
        self.notify(tr("Undo"), text)
        session = getattr(self.window, "session", None)
        if session is not None and hasattr(session, "history_changed"):
            session.history_changed.emit()
        if entries and hasattr(session, "undone"):
            session.index_changed.emit()
            for entry_id in entries:
                session.undone.emit(entry_id, text)
            session.start_scan()  # files put back: the duplicate list is rebuilt

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
            and not self.db.get_setting(HINT_KEY, False)
        ):
            self.db.set_setting(HINT_KEY, True)
            self.notify(
                tr("FileOrganizer Pro is still running"),
                tr(
                    "It keeps watching {folders} from the tray. Choose Quit in the tray menu to stop."
                ).format(folders=_folders(len(self.service.folders()))),
            )
        return False


def _folders(n: int) -> str:
    return tr("1 folder") if n == 1 else tr("{n} folders").format(n=f"{n:,}")


def _files(n: int) -> str:
    return tr("1 file") if n == 1 else tr("{n} files").format(n=f"{n:,}")


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
